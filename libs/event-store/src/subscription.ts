import { escapeLiteral, type Pool, type PoolClient, type QueryResult } from 'pg';
import { exponentialBackoffMs } from './backoff';
import { isDatabaseUnavailable } from './database-availability';
import { type Checkpoint, type RecordedEvent, START_CHECKPOINT, type Upcaster } from './event-store.types';
import { compareCheckpoints, hasEventsAfter, scanGlobalPage } from './global-read';
import { createUpcast } from './upcasting';

/** Something that consumes the global event log in order, page by page. */
export interface SubscriptionHandler {
  /** Unique per database: the key of its `subscription_checkpoints` row and of its advisory lock. */
  name: string;
  /** Only these event types reach `handle`; the checkpoint still advances past the others. */
  eventTypes?: string[];
  /**
   * Applies one page (never empty, in `(transactionId, globalPosition)` order). Write the effect with
   * `tx` only: it commits together with the checkpoint. Throw to have the same page redelivered.
   */
  handle(events: RecordedEvent[], tx: PoolClient): Promise<void>;
}

/** Options of `Subscription`; durations in milliseconds. */
export interface SubscriptionOptions {
  /** Events scanned per page/transaction (default 500). */
  batchSize?: number;
  /** Wait after an empty page, unless `notify()` wakes the loop earlier (default 100). */
  pollIntervalMs?: number;
  /**
   * While pages keep coming back with nothing to handle (empty, or only events of types not in
   * `eventTypes`, which the checkpoint moves past), the wait doubles from `pollIntervalMs` up to this
   * (default 1000, never below `pollIntervalMs`); a page with events handled, a full page (a backlog) or
   * `notify()` brings it back to `pollIntervalMs`. An idle subscription, or one that other types flow
   * past, thus costs about a page a second instead of ten or more, and events appended where nobody calls
   * `notify()` (another instance) are seen at most this late. Call `notify()` after appending what the
   * subscription handles.
   */
  maxIdlePollIntervalMs?: number;
  /**
   * Under sustained appends, wait this long before the next page (default 0: never). The loop lingers
   * after a page that had events but was not full when the page before it had events too: it is
   * caught up while events keep coming, and would otherwise run one small page after another, each a
   * transaction of its own (lock, checkpoint read, scan, checkpoint write, commit). Lingering lets the
   * events of that time arrive in one page; `notify()` does not cut it short. An event that comes
   * alone is not delayed (the page after it is empty, so the loop goes idle and `notify()` wakes it at
   * once), and a backlog is read in full pages without pause. The price: under sustained appends an
   * event waits up to `lingerMs` more to be handled.
   */
  lingerMs?: number;
  /**
   * Cap of the exponential backoff after a failed page (default 5000; it starts at 50). While the
   * database is unavailable (`isDatabaseUnavailable`) the cap is at most 1000, so the loop resumes
   * within a second of the database's return.
   */
  maxBackoffMs?: number;
  /**
   * Told about every failed page of the background loop (default: `console.error`), except repeats
   * while the database stays unavailable: of those, only the first of the run.
   */
  onError?: (error: unknown) => void;
  /** Applied to the events before `handle` (use the same ones as the `EventStore`). */
  upcasters?: Upcaster[];
}

/**
 * The services' `lingerMs` unless configured (`PROJECTION_LINGER_MS`): at most ~10 pages a second per
 * subscription under sustained appends, for up to 100 ms more per hop (measured in bench/README.md).
 */
export const DEFAULT_SERVICE_LINGER_MS = 100;

/**
 * A service's projection settings, ms (`PROJECTION_POLL_INTERVAL_MS`, `PROJECTION_LINGER_MS`); `lingerMs`
 * may be left out by callers composing a module in code.
 */
export interface ServiceSubscriptionTiming {
  pollIntervalMs: number;
  lingerMs?: number;
}

/** The `Subscription` options of a service's settings: `lingerMs` defaults to `DEFAULT_SERVICE_LINGER_MS`. */
export function serviceSubscriptionTiming(timing: ServiceSubscriptionTiming): Required<Pick<SubscriptionOptions, 'pollIntervalMs' | 'lingerMs'>> {
  return { pollIntervalMs: timing.pollIntervalMs, lingerMs: timing.lingerMs ?? DEFAULT_SERVICE_LINGER_MS };
}

/** Outcome of one page. `scanned` 0 = caught up. */
interface PageOutcome {
  locked: boolean;
  scanned: number;
  handled: number;
  last: Checkpoint | null;
}

const HEAD_SQL =
  'SELECT transaction_id::text AS transaction_id, global_position::text AS global_position FROM events ' +
  'WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY events.transaction_id DESC, events.global_position DESC LIMIT 1';

const FIRST_BACKOFF_MS = 50;
const UNAVAILABLE_MAX_BACKOFF_MS = 1_000;

// The statements on a subscription's lock and checkpoint, each written once: `name`, `transactionId` and
// `globalPosition` are SQL expressions (parameters, or literals in a page's simple-protocol queries).
const lockKeySql = (name: string): string => `hashtextextended('fireline.subscription:' || ${name}, 0)`;
const readCheckpointSql = (name: string): string =>
  `SELECT transaction_id::text AS transaction_id, global_position::text AS global_position FROM subscription_checkpoints WHERE name = ${name}`;
const upsertCheckpointSql = (name: string, transactionId: string, globalPosition: string): string =>
  `INSERT INTO subscription_checkpoints (name, transaction_id, global_position, updated_at) VALUES (${name}, ${transactionId}::xid8, ${globalPosition}::bigint, now()) ` +
  'ON CONFLICT (name) DO UPDATE SET transaction_id = excluded.transaction_id, global_position = excluded.global_position, updated_at = excluded.updated_at';

/**
 * The advisory-lock key of a subscription (a bigint computed by Postgres from the name). Shared with
 * `rebuildProjection`, which must exclude the live subscription of the same projection.
 */
export const SUBSCRIPTION_LOCK_SQL = {
  try: `SELECT pg_try_advisory_xact_lock(${lockKeySql('$1')}) AS locked`,
  wait: `SELECT pg_advisory_xact_lock(${lockKeySql('$1')})`,
} as const;

const READ_CHECKPOINT_SQL = readCheckpointSql('$1');
const UPSERT_CHECKPOINT_SQL = upsertCheckpointSql('$1', '$2', '$3');

/**
 * The statements of a page that need no parameters, sent as one simple-protocol query each (several
 * statements, one round trip; each statement still takes its own snapshot, so the checkpoint is read
 * after the lock is held). Built once per subscription, the name as an escaped literal.
 */
interface PageStatements {
  /** BEGIN; the advisory lock (try or wait); the stored checkpoint. */
  beginTry: string;
  beginWait: string;
  /** The checkpoint upsert, then COMMIT, for a checkpoint (digits only, as Postgres returns them). */
  commitAt(checkpoint: Checkpoint): string;
}

const DIGITS = /^\d+$/;

function pageStatements(name: string): PageStatements {
  const literal = escapeLiteral(name);
  return {
    beginTry: `BEGIN; SELECT pg_try_advisory_xact_lock(${lockKeySql(literal)}) AS locked; ${readCheckpointSql(literal)}`,
    beginWait: `BEGIN; SELECT pg_advisory_xact_lock(${lockKeySql(literal)}), true AS locked; ${readCheckpointSql(literal)}`,
    commitAt(checkpoint) {
      if (!DIGITS.test(checkpoint.transactionId) || !DIGITS.test(checkpoint.globalPosition))
        throw new TypeError(`Not a checkpoint: ${JSON.stringify(checkpoint)}`);
      return `${upsertCheckpointSql(literal, `'${checkpoint.transactionId}'`, checkpoint.globalPosition)}; COMMIT`;
    },
  };
}

/** Sends several statements in one simple-protocol query; resolves with one result per statement. */
async function queryStatements(client: PoolClient, sql: string): Promise<QueryResult[]> {
  const results: unknown = await client.query(sql);
  if (!Array.isArray(results)) throw new Error('Expected one result per statement');
  return results as QueryResult[];
}

/** A row of `subscription_checkpoints` as the checkpoint statements (`readCheckpointSql`) return it. */
interface CheckpointRow {
  transaction_id: string;
  global_position: string;
}

/** The checkpoint a stored row holds; `START_CHECKPOINT` when the subscription has none stored. */
function checkpointOfRow(row: CheckpointRow | undefined): Checkpoint {
  return row ? { transactionId: row.transaction_id, globalPosition: row.global_position } : { ...START_CHECKPOINT };
}

/** Reads the stored checkpoint of subscription `name` (`START_CHECKPOINT` when it has none). */
export async function readCheckpoint(db: Pool | PoolClient, name: string): Promise<Checkpoint> {
  const result = await db.query<CheckpointRow>(READ_CHECKPOINT_SQL, [name]);
  return checkpointOfRow(result.rows[0]);
}

/** Stores `checkpoint` as subscription `name`'s position, with `tx`. */
export async function writeCheckpoint(tx: PoolClient, name: string, checkpoint: Checkpoint): Promise<void> {
  await tx.query(UPSERT_CHECKPOINT_SQL, [name, checkpoint.transactionId, checkpoint.globalPosition]);
}

/** Rolls back; a client whose rollback fails is destroyed instead of returned to the pool. */
export async function rollbackAndRelease(client: PoolClient, cause: unknown): Promise<void> {
  try {
    await client.query('ROLLBACK');
    client.release();
  } catch {
    client.release(cause instanceof Error ? cause : new Error(String(cause)));
  }
}

/**
 * Runs one `SubscriptionHandler` over the `events` table (gap-safe global order, see the design).
 * Each page is one transaction: advisory lock on the name → read checkpoint → scan up to `batchSize`
 * events after it → `handler.handle(page, tx)` → upsert checkpoint → COMMIT, in three round trips
 * besides the handler's (`processPage`). Effect and checkpoint
 * commit together (exactly-once effect), and one instance at a time processes a subscription: a
 * loop that finds the lock taken waits a poll interval. A failed page is rolled back and retried
 * (exponential backoff from 50 ms up to `maxBackoffMs`; up to 1 s while the database is unavailable),
 * never skipped: after an outage the loop resumes from its checkpoint by itself.
 */
export class Subscription {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxIdlePollIntervalMs: number;
  private readonly lingerMs: number;
  private idlePollMs: number;
  private readonly maxBackoffMs: number;
  private readonly onError: (error: unknown) => void;
  private readonly upcast: (event: RecordedEvent) => RecordedEvent;
  private readonly statements: PageStatements;
  private running = false;
  /** The previous page of the loop had events (see `lingerMs`). */
  private previousPageHadEvents = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private notified = false;
  /**
   * Whether the loop's next step peeks before a page: after a page that took all there was (not full),
   * until `notify()` says something came.
   */
  private peekFirst = false;
  /** `notify()` calls so far (a page that saw one arrive meanwhile leaves `peekFirst` off). */
  private notifications = 0;
  /** Where this instance's last page left the checkpoint (null before its first page). */
  private lastSeen: Checkpoint | null = null;
  private exclusive: Promise<unknown> = Promise.resolve();

  /**
   * @throws RangeError when `batchSize` is not a positive integer or `lingerMs` is negative.
   */
  constructor(
    private readonly pool: Pool,
    private readonly handler: SubscriptionHandler,
    options: SubscriptionOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new RangeError(`batchSize must be a positive integer, got ${this.batchSize}`);
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.maxIdlePollIntervalMs = Math.max(this.pollIntervalMs, options.maxIdlePollIntervalMs ?? 1000);
    this.idlePollMs = this.pollIntervalMs;
    this.lingerMs = options.lingerMs ?? 0;
    if (!(Number.isFinite(this.lingerMs) && this.lingerMs >= 0)) throw new RangeError(`lingerMs must be a non-negative number, got ${this.lingerMs}`);
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.onError = options.onError ?? ((error) => console.error(`Subscription ${handler.name} failed a page`, error));
    this.upcast = createUpcast(options.upcasters);
    this.statements = pageStatements(handler.name);
  }

  /** Starts the background loop; does nothing when it runs already. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const previous = this.loop ?? Promise.resolve();
    this.loop = previous.then(() => this.run());
  }

  /** Stops the loop and resolves once the page in flight (if any) has committed or rolled back. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /**
   * Processes pages until one comes back empty or the subscription has passed the head as of the call
   * (so constant writers cannot keep it running), waiting for the lock if another instance holds it.
   * Serialized with the background loop of this instance.
   * @returns the number of events handed to the handler.
   * @throws the handler's (or the database's) error; that page is rolled back and not skipped.
   */
  async catchUp(): Promise<number> {
    const head = await this.pool.query<{ transaction_id: string; global_position: string }>(HEAD_SQL);
    const target: Checkpoint | undefined = head.rows[0] && {
      transactionId: head.rows[0].transaction_id,
      globalPosition: head.rows[0].global_position,
    };
    let handled = 0;
    for (;;) {
      const outcome = await this.serialized(() => this.processPage(true));
      handled += outcome.handled;
      if (outcome.last === null || target === undefined || compareCheckpoints(outcome.last, target) >= 0) return handled;
    }
  }

  /** Wakes the loop now instead of after the poll interval (call after an append). */
  notify(): void {
    this.notified = true;
    this.peekFirst = false;
    this.notifications++;
    this.idlePollMs = this.pollIntervalMs;
    this.wake?.();
  }

  /** The stored checkpoint (`START_CHECKPOINT` before the first page). */
  checkpoint(): Promise<Checkpoint> {
    return readCheckpoint(this.pool, this.handler.name);
  }

  private async run(): Promise<void> {
    let failures = 0;
    let unavailableBefore = false;
    while (this.running) {
      let outcome: PageOutcome;
      try {
        outcome = await this.serialized(() => this.lookThenProcessPage());
        failures = 0;
        unavailableBefore = false;
      } catch (error) {
        failures++;
        const unavailable = isDatabaseUnavailable(error);
        if (!(unavailable && unavailableBefore)) this.safeOnError(error);
        unavailableBefore = unavailable;
        const cap = unavailable ? Math.min(this.maxBackoffMs, UNAVAILABLE_MAX_BACKOFF_MS) : this.maxBackoffMs;
        await this.sleep(exponentialBackoffMs(failures, { initialMs: FIRST_BACKOFF_MS, maxMs: cap }), false);
        continue;
      }
      // Pacing follows what the handler was given: a page of other types only (the checkpoint moved past
      // them) counts as idle, so a subscription is not kept busy by events it does not handle.
      const hadEvents = outcome.locked && outcome.handled > 0;
      const sustained = hadEvents && this.previousPageHadEvents;
      this.previousPageHadEvents = hadEvents;
      if (outcome.locked && outcome.scanned >= this.batchSize) {
        this.idlePollMs = this.pollIntervalMs;
        continue; // a backlog: the next page at once
      }
      if (hadEvents) {
        this.idlePollMs = this.pollIntervalMs;
        if (sustained && this.lingerMs > 0) await this.sleep(this.lingerMs, false);
        continue;
      }
      if (!outcome.locked) {
        await this.sleep(this.pollIntervalMs, true);
        continue;
      }
      // Caught up, or only other types came: wait longer each time (reset by handled events or notify()).
      const wait = this.idlePollMs;
      this.idlePollMs = Math.min(this.maxIdlePollIntervalMs, this.idlePollMs * 2);
      await this.sleep(wait, true);
    }
  }

  private safeOnError(error: unknown): void {
    try {
      this.onError(error);
    } catch {
      // A failing logger must not stop the loop.
    }
  }

  /** Sleeps `ms`; `stop()` always interrupts, `notify()` only when `wakeOnNotify`. */
  private sleep(ms: number, wakeOnNotify: boolean): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (wakeOnNotify && this.notified) {
      this.notified = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = (): void => {
        if (!this.running || wakeOnNotify) done();
      };
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = wake;
    }).finally(() => {
      this.wake = null;
      if (wakeOnNotify) this.notified = false;
    });
  }

  /**
   * The background loop's step. After a page that took all there was (not full), and until `notify()`
   * says something came, it first peeks (`hasEventsAfter` that page's checkpoint: one statement, no
   * transaction) and runs a page only when there is something to read: the poll that finds nothing
   * (right after such a page, an idle poll) costs one round trip instead of a page's three. A checkpoint
   * another instance has moved on only makes the peek say yes; the page then reads the stored one.
   */
  private async lookThenProcessPage(): Promise<PageOutcome> {
    const known = this.lastSeen;
    if (this.peekFirst && known !== null && !(await hasEventsAfter(this.pool, known))) return { locked: true, scanned: 0, handled: 0, last: null };
    return this.processPage(false);
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const result = this.exclusive.then(task, task);
    this.exclusive = result.catch(() => undefined);
    return result;
  }

  /**
   * One page in three round trips besides the handler's: BEGIN + lock + checkpoint read, the scan, and
   * the checkpoint upsert + COMMIT (an empty page: COMMIT; the lock taken elsewhere: ROLLBACK).
   */
  private async processPage(waitForLock: boolean): Promise<PageOutcome> {
    const notificationsBefore = this.notifications;
    const client = await this.pool.connect();
    try {
      // The checkpoint is read by the statement after the lock, with a snapshot of its own: the previous
      // owner's checkpoint has committed by then.
      const [, lock, checkpoint] = await queryStatements(client, waitForLock ? this.statements.beginWait : this.statements.beginTry);
      if (!(lock?.rows[0] as { locked?: boolean } | undefined)?.locked) {
        await client.query('ROLLBACK');
        client.release();
        return { locked: false, scanned: 0, handled: 0, last: null };
      }
      const after = checkpointOfRow(checkpoint?.rows[0] as CheckpointRow | undefined);
      const page = await scanGlobalPage(client, after, this.batchSize, this.handler.eventTypes);
      if (page.last === null) {
        await client.query('COMMIT');
        client.release();
        this.lastSeen = after;
        this.peekFirst = this.notifications === notificationsBefore;
        return { locked: true, scanned: 0, handled: 0, last: null };
      }
      const events = page.events.map(this.upcast);
      if (events.length > 0) await this.handler.handle(events, client);
      await queryStatements(client, this.statements.commitAt(page.last));
      client.release();
      this.lastSeen = page.last;
      this.peekFirst = page.scanned < this.batchSize && this.notifications === notificationsBefore;
      return { locked: true, scanned: page.scanned, handled: events.length, last: page.last };
    } catch (error) {
      await rollbackAndRelease(client, error);
      throw error;
    }
  }
}
