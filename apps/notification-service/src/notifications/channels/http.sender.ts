import { fetch, type Response } from 'undici';
import { OUTBOUND_REFUSED, type OutboundDestinationGuard } from '../../outbound/outbound-destination.guard';
import type { AttemptOutcome } from '../domain/delivery.transitions';
import type { OutboundRequest } from './outbound-request';

/** What the worker records about one attempt (a `delivery_attempts` row). */
export interface AttemptReport {
  startedAt: Date;
  /** Wall time from just before the request to the end of reading the response excerpt, ms. */
  durationMs: number;
  outcome: AttemptOutcome;
  /** The first `RESPONSE_EXCERPT_BYTES` of the response body, decoded as UTF-8, if any. */
  responseExcerpt: string | null;
}

/** The most of a receiver's answer the delivery log keeps: enough to debug a refusal, not a copy of the page. */
export const RESPONSE_EXCERPT_BYTES = 1024;

/**
 * `Retry-After` (RFC 9110 §10.2.3) as milliseconds from `now`: delay-seconds or an HTTP-date.
 * Null when absent or unparseable; never negative.
 */
export function parseRetryAfterMs(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/GMT$/i.test(trimmed)) return null; // an IMF-fixdate always ends in GMT
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now.getTime());
}

async function readExcerpt(response: Response): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut off by the timeout or the peer still leaves a status worth recording.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (size === 0) return null;
  const bytes = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES);
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

// Duck-typed, not `instanceof`: undici's errors may come from another realm (e.g. under jest's VM).
interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

function asErrorLike(value: unknown): ErrorLike | null {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : null;
}

function isTimeout(error: unknown): boolean {
  const name = asErrorLike(error)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** The policy's reason when the guarded connector refused the destination (the error is `fetch`'s `cause`). */
function refusalOf(error: unknown): string | null {
  const cause = asErrorLike(asErrorLike(error)?.cause);
  return cause?.code === OUTBOUND_REFUSED && typeof (cause as { reason?: unknown }).reason === 'string' ? (cause as { reason: string }).reason : null;
}

/** `fetch failed: ECONNREFUSED` from undici's `TypeError` and its `cause`. */
function describeNetworkError(error: unknown): string {
  const outer = asErrorLike(error);
  if (!outer) return String(error);
  const message = typeof outer.message === 'string' ? outer.message : String(error);
  const cause = asErrorLike(outer.cause);
  if (!cause) return message;
  const detail = typeof cause.code === 'string' ? cause.code : typeof cause.message === 'string' ? cause.message : String(outer.cause);
  return `${message}: ${detail}`;
}

/**
 * POSTs `request` with undici's `fetch` through `guard`'s dispatcher, giving up after `timeoutMs`
 * (covering connect, response and the excerpt read). A destination the outbound policy refuses (by its
 * URL, or by the addresses its host resolves to when connecting) is a `refused` outcome, decided before
 * any connection. Redirects are not followed: a signed body goes only to the configured URL.
 * Never throws; every failure becomes an `AttemptOutcome`.
 */
export async function sendOutboundRequest(
  request: OutboundRequest,
  timeoutMs: number,
  guard: OutboundDestinationGuard,
  clock: () => Date = () => new Date(),
): Promise<AttemptReport> {
  const startedAt = clock();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const refused = guard.urlRefusal(request.url);
  if (refused !== null) return { startedAt, durationMs: elapsed(), outcome: { kind: 'refused', reason: refused }, responseExcerpt: null };
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: Buffer.from(request.body, 'utf8'),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      dispatcher: guard.dispatcher,
    });
    const responseExcerpt = await readExcerpt(response);
    return {
      startedAt,
      durationMs: elapsed(),
      outcome: { kind: 'response', httpStatus: response.status, retryAfterMs: parseRetryAfterMs(response.headers.get('retry-after'), clock()) },
      responseExcerpt,
    };
  } catch (error) {
    const reason = refusalOf(error);
    return {
      startedAt,
      durationMs: elapsed(),
      outcome:
        reason !== null
          ? { kind: 'refused', reason }
          : isTimeout(error)
            ? { kind: 'timeout', timeoutMs }
            : // The log is no place for the URL (it may hold a token); fetch quotes it in some errors.
              { kind: 'network_error', error: describeNetworkError(error).replaceAll(request.url, '<target URL>') },
      responseExcerpt: null,
    };
  }
}
