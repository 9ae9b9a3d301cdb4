import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { AuthenticationError, ConcurrencyError, DomainError, PermissionError, RateLimitedError, ValidationError } from '@fireline/errors';
import { isDatabaseUnavailable } from '@fireline/event-store';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_JSON, problemTypeOf, type ProblemDetails } from './problem-details';

/** Fastify's own client errors (body parsing, size, content type) carry a `statusCode` and `code`. */
interface FastifyClientError {
  statusCode: number;
  code?: string;
  message: string;
}

function isFastifyClientError(error: unknown): error is FastifyClientError {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'REQUEST.BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'REQUEST.EMPTY_JSON_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'REQUEST.INVALID_CONTENT_LENGTH',
  FST_ERR_BAD_URL: 'REQUEST.BAD_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'REQUEST.URI_TOO_LONG',
};

/** A stable code for a framework-level 4xx, from Fastify's code when known, else from the status. */
function clientErrorCode(status: number, message: string, fastifyCode: string | undefined): string {
  if (fastifyCode && FASTIFY_CODES[fastifyCode]) return FASTIFY_CODES[fastifyCode];
  switch (status) {
    case 400:
      if (/empty/i.test(message) && /json/i.test(message)) return 'REQUEST.EMPTY_JSON_BODY';
      return /JSON|Unexpected token|Unexpected end/i.test(message) ? 'REQUEST.MALFORMED_JSON' : 'REQUEST.BAD_REQUEST';
    case 404:
      return 'ROUTE.NOT_FOUND';
    case 405:
      return 'ROUTE.METHOD_NOT_ALLOWED';
    case 413:
      return 'REQUEST.BODY_TOO_LARGE';
    case 414:
      return 'REQUEST.URI_TOO_LONG';
    case 415:
      return 'REQUEST.UNSUPPORTED_MEDIA_TYPE';
    default:
      return `HTTP.${status}`;
  }
}

/** `Retry-After` (seconds) of a 503 `DEPENDENCY.DATABASE_UNAVAILABLE`: the pools reconnect by themselves. */
export const DATABASE_UNAVAILABLE_RETRY_AFTER_S = 2;

/** During an outage every request fails alike: its 503s are logged once per this many ms. */
const UNAVAILABLE_LOG_INTERVAL_MS = 5_000;

/**
 * The one HTTP error mapping. `DomainError`s map by kind: validation 400, not_found 404,
 * illegal_state 409, concurrency 412 when the request carried `If-Match` else 409, idempotency 422,
 * unauthenticated 401 (`WWW-Authenticate: Bearer`), forbidden 403, rate_limited 429 (`Retry-After`
 * and `RateLimit-*`; see `authHeadersOf`).
 * Nest `HttpException`s and Fastify client errors (malformed JSON, oversize or unsupported bodies)
 * keep their 4xx status. An error that says the database is unavailable (`isDatabaseUnavailable`: refused
 * or lost connection, terminated backend, server starting up, no free connection in time) is a 503
 * `DEPENDENCY.DATABASE_UNAVAILABLE` with `Retry-After`, logged in one line every 5 s at most: the
 * request was fine, retry it.
 * Anything else is a 500 with no internals in the body (logged in full).
 * Every body is `application/problem+json` (see `ProblemDetails`).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);
  private unavailableLoggedAt = 0;
  private unavailableSinceLog = 0;

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (isDatabaseUnavailable(exception)) {
      this.logUnavailable(request, exception);
      const problem = databaseUnavailableProblem(request.url);
      void reply.status(503).header('retry-after', String(DATABASE_UNAVAILABLE_RETRY_AFTER_S)).header('content-type', PROBLEM_JSON).send(problem);
      return;
    }
    const problem = this.toProblem(exception, request);
    if (problem.status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    void reply.status(problem.status).header('content-type', PROBLEM_JSON);
    for (const [name, value] of Object.entries(authHeadersOf(exception))) void reply.header(name, value);
    void reply.send(problem);
  }

  /** One line per `UNAVAILABLE_LOG_INTERVAL_MS` at most, with the count of 503s since the last line. */
  private logUnavailable(request: FastifyRequest, exception: unknown): void {
    this.unavailableSinceLog += 1;
    const now = Date.now();
    if (now - this.unavailableLoggedAt < UNAVAILABLE_LOG_INTERVAL_MS) return;
    const reason = exception instanceof Error ? exception.message : String(exception);
    this.logger.warn(`${request.method} ${request.url}: database unavailable (${reason}); ${this.unavailableSinceLog} request(s) answered 503 since the last such line`);
    this.unavailableLoggedAt = now;
    this.unavailableSinceLog = 0;
  }

  private toProblem(exception: unknown, request: FastifyRequest): ProblemDetails {
    const instance = request.url;
    if (exception instanceof DomainError) {
      const status = this.statusOf(exception, request);
      const fieldErrors = exception instanceof ValidationError && exception.fieldErrors.length > 0 ? { errors: exception.fieldErrors } : {};
      // Details first: the standard members must win over a detail of the same name (e.g. an incident `status`).
      return {
        ...exception.details,
        type: problemTypeOf(exception.code),
        title: titleOf(status),
        status,
        detail: exception.message,
        instance,
        code: exception.code,
        ...fieldErrors,
      };
    }
    // Nest turns Fastify's own client errors (body parsing, size, media type) into HttpExceptions
    // before filters see them, keeping status and message but not Fastify's error code.
    const client = exception instanceof HttpException ? { status: exception.getStatus(), message: exception.message } : undefined;
    const fastify = isFastifyClientError(exception) ? { status: exception.statusCode, message: exception.message } : undefined;
    const known = client ?? fastify;
    if (known && known.status < 500) {
      const code = clientErrorCode(known.status, known.message, isFastifyClientError(exception) ? exception.code : undefined);
      return { type: problemTypeOf(code), title: titleOf(known.status), status: known.status, detail: known.message, instance, code };
    }
    return {
      type: problemTypeOf('INTERNAL'),
      title: titleOf(500),
      status: 500,
      detail: 'An unexpected error occurred',
      instance,
      code: 'INTERNAL',
    };
  }

  private statusOf(error: DomainError, request: FastifyRequest): number {
    switch (error.kind) {
      case 'validation':
        return 400;
      case 'not_found':
        return 404;
      case 'illegal_state':
        return 409;
      case 'concurrency':
        return error instanceof ConcurrencyError && request.headers['if-match'] !== undefined ? 412 : 409;
      case 'idempotency':
        return 422;
      case 'unauthenticated':
        return 401;
      case 'forbidden':
        return 403;
      case 'rate_limited':
        return 429;
      default: {
        const exhaustive: never = error.kind;
        return exhaustive;
      }
    }
  }
}

/** A header parameter as a quoted-string; `"`, backslash and line breaks would need escaping there, so they are dropped. */
const quoted = (text: string) => `"${text.replace(/["\\\r\n]/g, '')}"`;

/**
 * The headers an authentication, authorisation or rate-limit error adds to its answer:
 * 401 `WWW-Authenticate: Bearer realm="fireline"` (plus `error="invalid_token"` when a credential was
 * sent and refused, RFC 6750 §3.1), 403 with `error="insufficient_scope"` and the scopes the route
 * needs, 429 `Retry-After` and `RateLimit-Limit`, `RateLimit-Remaining: 0`, `RateLimit-Reset` (seconds).
 */
export function authHeadersOf(exception: unknown): Record<string, string> {
  if (exception instanceof AuthenticationError) {
    const refused = exception.code !== 'AUTH.UNAUTHENTICATED';
    return { 'www-authenticate': `Bearer realm="fireline"${refused ? `, error="invalid_token", error_description=${quoted(exception.message)}` : ''}` };
  }
  if (exception instanceof PermissionError && exception.code === 'AUTH.INSUFFICIENT_SCOPE') {
    const scopes = Array.isArray(exception.details.requiredScopes) ? exception.details.requiredScopes.join(' ') : '';
    return { 'www-authenticate': `Bearer realm="fireline", error="insufficient_scope", scope=${quoted(scopes)}` };
  }
  if (exception instanceof RateLimitedError) {
    const reset = String(Math.max(1, Math.ceil(exception.state.resetS)));
    return { 'retry-after': reset, 'ratelimit-limit': String(exception.state.limit), 'ratelimit-remaining': '0', 'ratelimit-reset': reset };
  }
  return {};
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function databaseUnavailableProblem(instance: string): ProblemDetails {
  const code = 'DEPENDENCY.DATABASE_UNAVAILABLE';
  return { type: problemTypeOf(code), title: titleOf(503), status: 503, detail: 'The database is unavailable right now; retry the request later', instance, code };
}

/**
 * Fastify's `frameworkErrors` option: errors its router raises before any route (hence any Nest filter)
 * runs, i.e. a path with bad percent-encoding (`FST_ERR_BAD_URL`, 400) or a path parameter longer than
 * `maxParamLength` (`FST_ERR_MAX_PARAM_LENGTH`, 414). Without it Fastify answers those with its own
 * `application/json` body. Pass it to every `new FastifyAdapter({ frameworkErrors: problemDetailsFrameworkErrors })`.
 */
export function problemDetailsFrameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const code = clientErrorCode(status, error.message, error.code);
  const problem: ProblemDetails = { type: problemTypeOf(code), title: titleOf(status), status, detail: error.message, instance: request.url, code };
  void reply.status(status).header('content-type', PROBLEM_JSON).send(problem);
}

function titleOf(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}
