import {
  CallHandler,
  ExecutionContext,
  Inject,
  Injectable,
  mixin,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { IdempotencyKeyReusedError, IllegalStateError, ValidationError } from '@fireline/errors';
import { isDatabaseUnavailable } from '@fireline/event-store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { catchError, from, mergeMap, of, throwError, type Observable } from 'rxjs';
import { principalOf } from '@fireline/auth';
import { IDEMPOTENCY_KEY_MAX_LENGTH } from './request-context';

const REPLAYED_HEADERS = ['etag', 'location'] as const;
const WAIT_FOR_FIRST_MS = 10_000;
const STALE_AFTER_S = 60;
/** How often keys that could not be freed (database away) are tried again, ms. */
const RELEASE_RETRY_MS = 500;

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

type Begin =
  | { kind: 'first' }
  | { kind: 'replay'; status: number; body: unknown; headers: Record<string, string> };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `Idempotency-Key` for POST (draft-ietf-httpapi-idempotency-key-header, as Stripe uses it):
 * the first request with a key runs and its response (status, body, ETag, Location) is stored;
 * a later request with the same key and the same method, path and body gets that response again with
 * `Idempotency-Replayed: true`; the same key with a different request -> 422
 * `IDEMPOTENCY.KEY_REUSED`. While the first is still running, a duplicate waits up to 10 s for it,
 * then gets 409 `IDEMPOTENCY.IN_PROGRESS`. A failed first request frees the key so it can be retried.
 * The reservation is a primary-key insert, so concurrent duplicates are settled by the database.
 *
 * Returns an interceptor class bound to the service's own pool (the token of a `pg.Pool` provider)
 * whose database has `idempotency_keys` (see `CreateIdempotencyKeys1732000000200`).
 *
 * `options.redactStoredBody` maps the body before it is stored for replays: a response that shows a
 * secret once (a new credential) is replayed without it, so the secret is never kept in plaintext.
 */
export function IdempotencyInterceptorFor(
  poolToken: string | symbol,
  options: { redactStoredBody?: (body: unknown) => unknown } = {},
): Type<NestInterceptor> {
  const redact = options.redactStoredBody ?? ((body: unknown) => body);
  @Injectable()
  class IdempotencyInterceptor implements NestInterceptor {
    /** Keys whose failed first request could not free them (database away), tried again on a timer. */
    private readonly unreleased = new Set<string>();
    private releaseTimer: NodeJS.Timeout | null = null;
    private releasing = false;

    constructor(
      @Inject(poolToken) private readonly pool: Pool,
      private readonly reflector: Reflector,
    ) {}

    intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
      const request = context.switchToHttp().getRequest<FastifyRequest>();
      const reply = context.switchToHttp().getResponse<FastifyReply>();
      const raw = request.headers['idempotency-key'];
      const key = Array.isArray(raw) ? raw[0] : raw;
      if (request.method !== 'POST' || key === undefined) return next.handle();
      if (key.length < 1 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
        return throwError(
          () => new ValidationError('REQUEST.INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 255 characters', [
            { field: 'Idempotency-Key', message: 'must be 1 to 255 characters' },
          ]),
        );
      }
      // The caller is part of the request: another credential reusing the key is refused (422), never
      // answered with the first caller's stored response.
      const hash = createHash('sha256')
        .update(`${principalOf(request)?.actor ?? 'anonymous'}\n${request.method} ${request.url}\n${stableStringify(request.body ?? null)}`)
        .digest('hex');
      const status =
        this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === 'POST' ? 201 : 200);

      return from(this.begin(key, hash)).pipe(
        mergeMap((begin) => {
          if (begin.kind === 'replay') {
            for (const [name, value] of Object.entries(begin.headers)) void reply.header(name, value);
            void reply.header('idempotency-replayed', 'true');
            return of(begin.body);
          }
          return next.handle().pipe(
            mergeMap((body) => from(this.complete(key, status, body, reply)).pipe(mergeMap(() => of(body)))),
            catchError((error: unknown) => from(this.releaseOrRetryLater(key)).pipe(mergeMap(() => throwError(() => error)))),
          );
        }),
      );
    }

    private async begin(key: string, hash: string): Promise<Begin> {
      const deadline = Date.now() + WAIT_FOR_FIRST_MS;
      for (;;) {
        const inserted = await this.pool.query(
          `INSERT INTO idempotency_keys (key, request_hash, state) VALUES ($1, $2, 'in_progress')
           ON CONFLICT (key) DO UPDATE SET request_hash = excluded.request_hash, created_at = now()
             WHERE idempotency_keys.state = 'in_progress'
               AND idempotency_keys.created_at < now() - make_interval(secs => ${STALE_AFTER_S})
           RETURNING key`,
          [key, hash],
        );
        if (inserted.rowCount === 1) return { kind: 'first' };
        const { rows } = await this.pool.query<{
          request_hash: string;
          state: string;
          response_status: number | null;
          response_body: unknown;
          response_headers: Record<string, string> | null;
        }>('SELECT request_hash, state, response_status, response_body, response_headers FROM idempotency_keys WHERE key = $1', [key]);
        const row = rows[0];
        if (!row) continue; // the first request failed and freed the key meanwhile: try to take it
        if (row.request_hash !== hash) {
          throw new IdempotencyKeyReusedError('IDEMPOTENCY.KEY_REUSED', 'This Idempotency-Key was used with a different request');
        }
        if (row.state === 'completed') {
          return { kind: 'replay', status: row.response_status ?? 200, body: row.response_body, headers: row.response_headers ?? {} };
        }
        if (Date.now() > deadline) {
          throw new IllegalStateError('IDEMPOTENCY.IN_PROGRESS', 'A request with this Idempotency-Key is still being processed');
        }
        await sleep(50);
      }
    }

    private async complete(key: string, status: number, body: unknown, reply: FastifyReply): Promise<void> {
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = reply.getHeader(name);
        if (typeof value === 'string') headers[name] = value;
      }
      await this.pool.query(
        `UPDATE idempotency_keys SET state = 'completed', response_status = $2, response_body = $3, response_headers = $4, completed_at = now()
         WHERE key = $1`,
        [key, status, JSON.stringify(redact(body) ?? null), JSON.stringify(headers)],
      );
    }

    private async release(key: string): Promise<void> {
      await this.pool.query(`DELETE FROM idempotency_keys WHERE key = $1 AND state = 'in_progress'`, [key]);
    }

    /** Frees the key; if the database is unavailable, keeps trying in the background. Never throws. */
    private async releaseOrRetryLater(key: string): Promise<void> {
      try {
        await this.release(key);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) return; // the key goes stale after STALE_AFTER_S
        this.unreleased.add(key);
        this.releaseTimer ??= setInterval(() => void this.releasePending(), RELEASE_RETRY_MS).unref();
      }
    }

    private async releasePending(): Promise<void> {
      if (this.releasing) return;
      this.releasing = true;
      try {
        await this.releaseEach();
      } finally {
        this.releasing = false;
      }
    }

    private async releaseEach(): Promise<void> {
      for (const key of [...this.unreleased]) {
        try {
          await this.release(key);
        } catch (error) {
          if (isDatabaseUnavailable(error)) return;
        }
        this.unreleased.delete(key);
      }
      if (this.unreleased.size === 0 && this.releaseTimer) {
        clearInterval(this.releaseTimer);
        this.releaseTimer = null;
      }
    }
  }
  return mixin(IdempotencyInterceptor);
}
