import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { eventsV2Invalid, eventsV2ServerError, eventsV2Throttled } from './events-v2.response.dto';
import { fastifyInstanceOnce, routeHasFlag } from '../fastify-route-hooks';

/** Route config flag (`@RouteConfig({ [EVENTS_V2_REPLY_SHAPE]: true })`) of routes that answer like PagerDuty. */
export const EVENTS_V2_REPLY_SHAPE = 'firelineEventsV2ReplyShape';

interface ProblemLike {
  status?: number;
  detail?: string;
  errors?: { field?: string; message?: string }[];
}

/** A problem+json body turned into PagerDuty's error strings. */
export function eventsV2ErrorsOf(problem: ProblemLike): string[] {
  const fields = (problem.errors ?? []).map((e) => [e.field, e.message].filter(Boolean).join(' ')).filter((e) => e !== '');
  return fields.length > 0 ? fields : [problem.detail ?? 'Event object is invalid'];
}

/**
 * Makes every error answer of the flagged routes PagerDuty-shaped (`{"status":"invalid event", …}`,
 * status 400 for any 4xx but 429, which keeps its status and gets `eventsV2Throttled()`; 5xx keep
 * their status, and `Retry-After` when they have it, so that senders retry: `eventsV2ServerError()`).
 *
 * Why a Fastify `onSend` hook and not a controller-scoped exception filter: malformed JSON, an
 * oversize body (413 from the global `bodyLimit`) and an unsupported content type fail in Fastify's
 * body parser, before any Nest controller runs, so they reach only the app's global filter (problem
 * details). The hook sees those answers too. It only rewrites replies of routes carrying the flag.
 * Needs the hook to be added before the Fastify instance is ready: it is, from `onModuleInit`.
 */
@Injectable()
export class EventsV2ReplyShapeHook implements OnModuleInit {
  private static readonly installed = new WeakSet<object>();

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = fastifyInstanceOnce(this.adapterHost, EventsV2ReplyShapeHook.installed);
    if (!fastify) return;
    fastify.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: Error | null, payload?: unknown) => void) => {
      const contentType = String(reply.getHeader('content-type') ?? '');
      if (!routeHasFlag(request, EVENTS_V2_REPLY_SHAPE) || reply.statusCode < 400 || !contentType.includes('application/problem+json')) {
        done(null, payload);
        return;
      }
      let problem: ProblemLike = {};
      try {
        problem = JSON.parse(typeof payload === 'string' ? payload : String(payload)) as ProblemLike;
      } catch {
        // keep the generic message
      }
      if (reply.statusCode >= 500) {
        void reply.header('content-type', 'application/json; charset=utf-8');
        done(null, JSON.stringify(eventsV2ServerError(reply.statusCode)));
        return;
      }
      void reply.header('content-type', 'application/json; charset=utf-8');
      if (reply.statusCode === 429) {
        done(null, JSON.stringify(eventsV2Throttled()));
        return;
      }
      void reply.code(400);
      done(null, JSON.stringify(eventsV2Invalid(eventsV2ErrorsOf(problem))));
    });
  }
}
