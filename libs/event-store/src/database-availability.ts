/**
 * Socket error codes (Node's `error.code`) meaning the database server could not be reached or the
 * connection to it broke.
 */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html) meaning the server is
 * going away, starting up or full, not that the statement is wrong: 57P01 admin_shutdown (also what
 * `pg_terminate_backend` sends), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or in
 * recovery), 53300 too_many_connections. Class 08 (connection exception) is matched by prefix.
 */
const UNAVAILABLE_SQLSTATES: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03', '53300']);

/** Messages `pg` and `pg-pool` (8.x / 3.x) throw without a code when a connection is lost or never made. */
const UNAVAILABLE_MESSAGES: readonly RegExp[] = [
  /^Connection terminated( unexpectedly| due to connection timeout)?$/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^Cannot use a pool after calling end on the pool$/,
];

/**
 * TypeORM releases a query runner by itself when its connection emits an error; the next statement
 * of that transaction (e.g. inside `DataSource.transaction`) then throws this instead of the cause.
 */
const RELEASED_RUNNER = 'QueryRunnerAlreadyReleasedError';

const MAX_DEPTH = 5;

/**
 * Whether `error` says "the database is unavailable right now" (retry later, the request itself is
 * fine) rather than "this statement failed". Looks at the error and what it wraps — TypeORM's
 * `QueryFailedError.driverError`, `cause`, and `AggregateError.errors` (one refused connection per
 * address of `localhost`) — up to 5 levels deep:
 * - a socket code: ECONNREFUSED, ECONNRESET, ECONNABORTED, EPIPE, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH,
 *   ENOTFOUND, EAI_AGAIN;
 * - a SQLSTATE of class 08, or 57P01, 57P02, 57P03, 53300;
 * - pg's "Connection terminated unexpectedly", pg-pool's "timeout exceeded when trying to connect",
 *   "Client has encountered a connection error and is not queryable", and the like;
 * - TypeORM's `QueryRunnerAlreadyReleasedError` (it releases a runner whose connection failed).
 *
 * The one classification used by the HTTP filter (503), the message consumers and the background
 * workers (wait and retry, never dead-letter).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailable(error, 0, new Set());
}

function unavailable(error: unknown, depth: number, seen: Set<unknown>): boolean {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH || seen.has(error)) return false;
  seen.add(error);
  const { name, code, message, driverError, cause, errors } = error as { name?: unknown; code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  if (name === RELEASED_RUNNER) return true;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  const wrapped = [driverError, cause, ...(Array.isArray(errors) ? errors : [])];
  return wrapped.some((inner) => unavailable(inner, depth + 1, seen));
}
