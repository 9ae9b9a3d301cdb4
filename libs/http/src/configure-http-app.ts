import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseJsonBody } from './json-body.parser';
import { ProblemDetailsFilter } from './problem-details.filter';
import { createValidationPipe } from './validation';

/** Form bodies: refused by an `onRequest` hook (before any parsing) except on routes marked `ACCEPTS_FORM_POSTS`. */
const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;
const MULTIPART = /^multipart\/form-data\s*(;|$)/i;

/**
 * Fastify route config (`@RouteConfig(ACCEPTS_FORM_POSTS)` from `@nestjs/platform-fastify`) of the few
 * routes that HTML forms and mail clients post to: they take `application/x-www-form-urlencoded` and
 * `multipart/form-data` bodies (kept as text, unparsed: those routes act on their URL), as RFC 8058 one-click
 * unsubscribe POSTs are sent. Every other route refuses both with 415.
 */
export const ACCEPTS_FORM_POSTS = Object.freeze({ firelineFormPosts: true });

function acceptsFormPosts(config: unknown): boolean {
  return typeof config === 'object' && config !== null && (config as { firelineFormPosts?: unknown }).firelineFormPosts === true;
}

/**
 * The security headers of every answer (`helmet`'s, computed once at start-up by `securityHeaderValues`
 * and set in an `onRequest` hook: `@fastify/helmet` rebuilt the whole middleware, CSP parsing included,
 * on every request). The Content-Security-Policy lets Swagger
 * UI (`/docs`: its own scripts and styles, inline `<style>` blocks and `style` attributes, `data:`
 * icons, requests to this origin) work in a browser and nothing else: no inline or foreign script, no
 * `eval`, no plugins, no framing. `upgrade-insecure-requests` is left out: it would send "Try it out"
 * on a plain-http development server to https. HSTS 180 days (browsers honour it over https only).
 */
export const SECURITY_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: true },
};

/**
 * The headers `helmet(SECURITY_HEADERS)` sets, as `{ lower-case name: value }`, computed once: with these
 * options (no per-request CSP nonce, no function directive) they are the same for every request, and
 * running helmet's chain of middlewares per answer cost ~2.5% of an intake request's CPU.
 * @throws Error when helmet does not finish synchronously or reports an error (options it cannot use).
 */
export function securityHeaderValues(options: HelmetOptions = SECURITY_HEADERS): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let finished = false;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error !== undefined && error !== null) throw error instanceof Error ? error : new Error(String(error));
    finished = true;
  });
  if (!finished) throw new Error('helmet did not set the security headers synchronously');
  return Object.freeze(headers);
}

/**
 * Applies Fireline's HTTP conventions to an app (each service's main, the embedded platform, tests):
 * the security headers (`SECURITY_HEADERS`),
 * JSON bodies only (form posts only on routes marked `ACCEPTS_FORM_POSTS`), parsed by `parseJsonBody` (at most `MAX_JSON_DEPTH` levels deep, no prototype
 * keys), DTO validation that rejects unknown fields and unstorable text, and RFC 9457 problem details
 * for every error. Create the adapter with `createFastifyAdapter` (router-level and socket-level errors,
 * timeouts and the per-IP connection cap). Call before `app.init()`.
 */
export function configureHttpApp(app: NestFastifyApplication): NestFastifyApplication {
  const fastify = app.getHttpAdapter().getInstance();
  const securityHeaders = securityHeaderValues();
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(securityHeaders);
    done();
  });
  // JSON only: a text/plain body is refused with 415 instead of reaching a DTO as a string, and a form
  // body with 415 instead of passing as a DTO (or being ignored by a route that takes no body).
  fastify.removeContentTypeParser('text/plain');
  // Replaces Fastify's JSON parser for every route (Nest then registers none of its own).
  app.useBodyParser('application/json', {}, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body.toString('utf8')));
    } catch (error: unknown) {
      done(error as Error, undefined);
    }
  });
  // Kept as text for the routes that take form posts (none reads it); refused before parsing everywhere else.
  const keepAsText = (_request: unknown, body: string | Buffer, done: (error: Error | null, body?: unknown) => void) => done(null, body.toString());
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, keepAsText);
  fastify.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, keepAsText);
  fastify.addHook('onRequest', async (request) => {
    const contentType = request.headers['content-type'] ?? '';
    if ((FORM.test(contentType) || MULTIPART.test(contentType)) && !acceptsFormPosts(request.routeOptions.config)) {
      throw new UnsupportedMediaTypeException(`Unsupported Media Type: ${request.headers['content-type']}; send application/json`);
    }
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  return app;
}
