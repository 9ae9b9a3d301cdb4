import { principalOf } from '@fireline/auth';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/**
 * Who is calling and which chain the request belongs to: `actor` from the credential the auth guard
 * checked (`key:<id>`, `user:<sub>`; `anonymous` on public routes) — never from a header — and from
 * headers `X-Correlation-Id` (default: a new UUID), `Idempotency-Key`, `If-Match`.
 */
export interface RequestContext {
  actor: string;
  correlationId: string;
  idempotencyKey: string | undefined;
  ifMatch: string | undefined;
  now: Date;
}

function header(request: FastifyRequest, name: string, maxLength = 200): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first && first.trim() !== '' ? first.trim().slice(0, maxLength) : undefined;
}

/** The longest `Idempotency-Key` accepted (longer ones are refused by `IdempotencyInterceptorFor`). */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** Reads the request context (see `RequestContext`); `now` is the time of this call. */
export function requestContextOf(request: FastifyRequest): RequestContext {
  return {
    actor: principalOf(request)?.actor ?? 'anonymous',
    correlationId: header(request, 'x-correlation-id') ?? randomUUID(),
    // Never shortened below what the interceptor accepts: ids and command ids are derived from the whole key.
    idempotencyKey: header(request, 'idempotency-key', IDEMPOTENCY_KEY_MAX_LENGTH),
    ifMatch: header(request, 'if-match'),
    now: new Date(),
  };
}

/** Parameter decorator: `@Ctx() ctx: RequestContext`. */
export const Ctx = createParamDecorator((_data: unknown, context: ExecutionContext): RequestContext =>
  requestContextOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
