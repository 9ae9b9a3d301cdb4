import { Injectable, UnsupportedMediaTypeException, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { fastifyInstanceOnce, routeHasFlag } from '../fastify-route-hooks';
import type { IncomingMessage } from 'node:http';

/** Route config flag (`@RouteConfig({ [RAW_BODY_ROUTE]: true })`) of routes that receive the body as raw bytes. */
export const RAW_BODY_ROUTE = 'firelineRawBody';

/** A media type no client sends: flagged routes are switched to it so that only our buffer parser runs. */
const RAW_BODY_MEDIA_TYPE = 'application/vnd.fireline.raw-body';

const originalContentTypes = new WeakMap<IncomingMessage, string | undefined>();

function isRawBodyRoute(request: FastifyRequest): boolean {
  return routeHasFlag(request, RAW_BODY_ROUTE);
}

/** The `content-type` the client sent to a raw-body route (the header is rewritten for parsing). */
export function originalContentTypeOf(request: FastifyRequest): string | undefined {
  return originalContentTypes.has(request.raw) ? originalContentTypes.get(request.raw) : request.headers['content-type'];
}

/**
 * Gives flagged routes their body as the exact bytes received (a `Buffer` in `request.body`), which an
 * HMAC over the body needs: Fastify's JSON parser would parse first (and refuse malformed JSON with a
 * 400 before the signature could be checked), and a re-serialization is not what was signed.
 *
 * How, without touching other routes' parsing: an `onRequest` hook, for flagged routes only, remembers
 * the client's `content-type` and replaces it with a private media type; a parser registered for that
 * type alone keeps the bytes as a `Buffer` (within the app's `bodyLimit`) and refuses (415) any request
 * to an unflagged route that sends the private type itself. Installed from `onModuleInit`, before the
 * Fastify instance is ready; once per instance.
 */
@Injectable()
export class RawBodyHook implements OnModuleInit {
  private static readonly installed = new WeakSet<object>();

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = fastifyInstanceOnce(this.adapterHost, RawBodyHook.installed);
    if (!fastify) return;
    fastify.addHook('onRequest', async (request) => {
      if (!isRawBodyRoute(request)) return;
      originalContentTypes.set(request.raw, request.raw.headers['content-type']);
      request.raw.headers['content-type'] = RAW_BODY_MEDIA_TYPE;
    });
    fastify.addContentTypeParser(RAW_BODY_MEDIA_TYPE, { parseAs: 'buffer' }, (request, body, done) => {
      if (!isRawBodyRoute(request)) {
        done(new UnsupportedMediaTypeException(`Unsupported Media Type: ${RAW_BODY_MEDIA_TYPE}; send application/json`), undefined);
        return;
      }
      done(null, body);
    });
  }
}
