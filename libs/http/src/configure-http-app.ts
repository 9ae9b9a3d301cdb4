import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseJsonBody } from './json-body.parser';
import { ProblemDetailsFilter } from './problem-details.filter';
import { createValidationPipe } from './validation';

/** Nest registers a parser for form bodies at `init()`, after this runs; a hook refuses them first. */
const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/**
 * The security headers of every answer (`@fastify/helmet`). The Content-Security-Policy lets Swagger
 * UI (`/docs`: its own scripts and styles, inline `<style>` blocks and `style` attributes, `data:`
 * icons, requests to this origin) work in a browser and nothing else: no inline or foreign script, no
 * `eval`, no plugins, no framing. `upgrade-insecure-requests` is left out: it would send "Try it out"
 * on a plain-http development server to https. HSTS 180 days (browsers honour it over https only).
 */
export const SECURITY_HEADERS: FastifyHelmetOptions = {
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
 * Applies Fireline's HTTP conventions to an app (each service's main, the embedded platform, tests):
 * the security headers (`SECURITY_HEADERS`),
 * JSON bodies only, parsed by `parseJsonBody` (at most `MAX_JSON_DEPTH` levels deep, no prototype
 * keys), DTO validation that rejects unknown fields and unstorable text, and RFC 9457 problem details
 * for every error. Create the adapter with `createFastifyAdapter` (router-level and socket-level errors,
 * timeouts and the per-IP connection cap). Call before `app.init()`.
 */
export function configureHttpApp(app: NestFastifyApplication): NestFastifyApplication {
  const fastify = app.getHttpAdapter().getInstance();
  // A plugin: loaded when the app starts (before it listens); a failure surfaces from app.init().
  void fastify.register(fastifyHelmet, SECURITY_HEADERS);
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
  fastify.addHook('onRequest', async (request) => {
    if (FORM.test(request.headers['content-type'] ?? '')) {
      throw new UnsupportedMediaTypeException(`Unsupported Media Type: ${request.headers['content-type']}; send application/json`);
    }
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  return app;
}
