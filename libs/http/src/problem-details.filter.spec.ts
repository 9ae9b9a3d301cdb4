import { type ArgumentsHost, Logger } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { AuthenticationError, PermissionError, RateLimitedError } from '@fireline/errors';
import { DATABASE_UNAVAILABLE_RETRY_AFTER_S, ProblemDetailsFilter, problemDetailsFrameworkErrors } from './problem-details.filter';

function fakeReply() {
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = { headers: {} };
  const reply = {
    status(code: number) {
      sent.status = code;
      return reply;
    },
    header(name: string, value: string) {
      sent.headers[name] = value;
      return reply;
    },
    send(body: unknown) {
      sent.body = body;
      return reply;
    },
  };
  return { reply: reply as unknown as FastifyReply, sent };
}

const fastifyError = (code: string, statusCode: number, message: string) => Object.assign(new Error(message), { code, statusCode }) as FastifyError;

describe('problemDetailsFrameworkErrors', () => {
  it.each([
    ['FST_ERR_BAD_URL', 400, 'REQUEST.BAD_URL'],
    ['FST_ERR_MAX_PARAM_LENGTH', 414, 'REQUEST.URI_TOO_LONG'],
  ])('answers Fastify router error %s with a %i problem', (fastifyCode, status, code) => {
    const { reply, sent } = fakeReply();
    problemDetailsFrameworkErrors(fastifyError(fastifyCode, status, 'bad path'), { url: '/v1/x/%ZZ' } as FastifyRequest, reply);
    expect(sent.status).toBe(status);
    expect(sent.headers['content-type']).toBe('application/problem+json');
    expect(sent.body).toMatchObject({ status, code, instance: '/v1/x/%ZZ' });
  });
});

describe(ProblemDetailsFilter.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  function answer(exception: unknown) {
    const { reply, sent } = fakeReply();
    const request = { method: 'POST', url: '/v1/incidents', headers: {} } as FastifyRequest;
    const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }) } as unknown as ArgumentsHost;
    new ProblemDetailsFilter().catch(exception, host);
    return sent;
  }

  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a terminated backend inside a TypeORM error', new QueryFailedError('SELECT 1', [], Object.assign(new DatabaseError('terminating connection due to administrator command', 0, 'error'), { code: '57P01' }))],
    ['no free connection in time', new Error('timeout exceeded when trying to connect')],
  ])('answers 503 DEPENDENCY.DATABASE_UNAVAILABLE with Retry-After for %s', (_, exception) => {
    const sent = answer(exception);
    expect(sent.status).toBe(503);
    expect(sent.headers).toEqual({ 'content-type': 'application/problem+json', 'retry-after': String(DATABASE_UNAVAILABLE_RETRY_AFTER_S) });
    expect(sent.body).toEqual({
      type: 'https://fireline.dev/problems/dependency.database-unavailable',
      title: 'Service Unavailable',
      status: 503,
      detail: 'The database is unavailable right now; retry the request later',
      instance: '/v1/incidents',
      code: 'DEPENDENCY.DATABASE_UNAVAILABLE',
    });
  });

  it('answers 500 INTERNAL, without Retry-After, for a statement that failed on a live database', () => {
    const sent = answer(new QueryFailedError('INSERT', [], Object.assign(new DatabaseError('duplicate key value', 0, 'error'), { code: '23505' })));
    expect(sent.status).toBe(500);
    expect(sent.headers).toEqual({ 'content-type': 'application/problem+json' });
    expect(sent.body).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'An unexpected error occurred' });
  });

  it('answers 401 with WWW-Authenticate: Bearer for a request without credentials', () => {
    const sent = answer(new AuthenticationError('AUTH.UNAUTHENTICATED', 'Send Authorization: Bearer <API key or token>'));
    expect(sent.status).toBe(401);
    expect(sent.headers).toEqual({ 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer realm="fireline"' });
    expect(sent.body).toMatchObject({ status: 401, title: 'Unauthorized', code: 'AUTH.UNAUTHENTICATED' });
  });

  it('answers 401 with error="invalid_token" for a credential that was refused', () => {
    const sent = answer(new AuthenticationError('AUTH.KEY_REVOKED', 'The API key was revoked'));
    expect(sent.status).toBe(401);
    expect(sent.headers['www-authenticate']).toBe('Bearer realm="fireline", error="invalid_token", error_description="The API key was revoked"');
    expect(sent.body).toMatchObject({ code: 'AUTH.KEY_REVOKED' });
  });

  it('answers 403 naming the missing scope, in the body and in WWW-Authenticate', () => {
    const sent = answer(new PermissionError('AUTH.INSUFFICIENT_SCOPE', 'Needs scope incidents:write', { requiredScopes: ['incidents:write'] }));
    expect(sent.status).toBe(403);
    expect(sent.headers['www-authenticate']).toBe('Bearer realm="fireline", error="insufficient_scope", scope="incidents:write"');
    expect(sent.body).toMatchObject({ status: 403, title: 'Forbidden', code: 'AUTH.INSUFFICIENT_SCOPE', requiredScopes: ['incidents:write'] });
  });

  it('answers 429 with Retry-After and the RateLimit headers', () => {
    const sent = answer(new RateLimitedError('RATE_LIMIT.EXCEEDED', 'Too many requests', { limit: 600, resetS: 17 }));
    expect(sent.status).toBe(429);
    expect(sent.headers).toEqual({
      'content-type': 'application/problem+json',
      'retry-after': '17',
      'ratelimit-limit': '600',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '17',
    });
    expect(sent.body).toMatchObject({ status: 429, code: 'RATE_LIMIT.EXCEEDED', retryAfterS: 17 });
  });
});
