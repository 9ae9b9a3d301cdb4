import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The app's Fastify instance, the first time `installed` sees it: hooks and parsers must be added once
 * per instance (tests boot several apps in one process) and before it is ready (call from
 * `onModuleInit`). `undefined` under another HTTP adapter or when already installed.
 */
export function fastifyInstanceOnce(adapterHost: HttpAdapterHost, installed: WeakSet<object>): FastifyInstance | undefined {
  const adapter = adapterHost.httpAdapter;
  if (!adapter || adapter.getType() !== 'fastify') return undefined;
  const fastify = adapter.getInstance<FastifyInstance>();
  if (installed.has(fastify)) return undefined;
  installed.add(fastify);
  return fastify;
}

/** True when the request's route was declared with `@RouteConfig({ [flag]: true })`. */
export function routeHasFlag(request: FastifyRequest, flag: string): boolean {
  const config = request.routeOptions?.config as unknown as Record<string, unknown> | undefined;
  return config?.[flag] === true;
}
