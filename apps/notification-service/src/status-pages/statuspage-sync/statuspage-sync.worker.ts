import { Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { StatusPageIntegrationEventV1 } from '@fireline/contracts';
import type { NotificationSecretBox } from '../../notifications/secrets/notification-secret-box';
import { StatuspageRejected, StatuspageRetryLater, type StatuspageClient, type StatuspageTarget } from './statuspage.client';
import { statuspageCallsFor, type ComponentStatuses, type StatuspageCall } from './statuspage-requests';

/**
 * The next Statuspage job to run, locked (`FOR UPDATE SKIP LOCKED`): the oldest due one that is the
 * first pending job of its page (jobs of a page run in order, pages in parallel). "First of its page" is
 * the page's first entry in `statuspage_sync_jobs_pending_idx`, one index probe per job looked at. Asked
 * as "does an older pending job of the page exist?" (`NOT EXISTS`), the planner could make it an anti
 * join, and with statistics taken while nothing was pending (before a Statuspage outage let jobs pile
 * up) it scanned every pending job for every pending job: quadratic in the backlog (2.3 million buffer
 * reads for 3,000 pending jobs, against ~10,600 as asked now: the spec). A scalar subquery with `LIMIT`
 * is never flattened into a join, so the probe stays a probe.
 */
export const NEXT_SYNC_JOB_SQL = `
SELECT j.seq, j.page_id, j.event_id, j.event, j.attempts, j.first_attempt_at
  FROM statuspage_sync_jobs j
 WHERE j.status = 'pending' AND j.next_attempt_at <= now()
   AND j.seq = (SELECT e.seq FROM statuspage_sync_jobs e WHERE e.page_id = j.page_id AND e.status = 'pending' ORDER BY e.seq LIMIT 1)
 ORDER BY j.seq
 LIMIT 1
 FOR UPDATE SKIP LOCKED`;

/** Worker settings. Durations in milliseconds. */
export interface StatuspageSyncWorkerOptions {
  apiUrl: string;
  pollIntervalMs: number;
  /** A job still failing this long after its first attempt is given up (`failed`). */
  retryWindowMs: number;
  /** Backoff of retries without `Retry-After`: doubling from `baseDelayMs`, at most `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

interface JobRow {
  seq: string;
  page_id: string;
  event_id: string;
  event: StatusPageIntegrationEventV1;
  attempts: number;
  first_attempt_at: Date | null;
}

interface SpComponent {
  id: string;
  name: string;
}
interface SpIncident {
  id: string;
  metadata?: { fireline?: { id?: unknown } } | null;
}

type ObjectKind = 'component' | 'incident' | 'maintenance';

/**
 * Mirrors queued status-page events (`statuspage_sync_jobs`, one per event, queued by
 * `MirrorToStatuspageWhenStatusPageChangedReactor` in the inbox transaction) to Atlassian Statuspage,
 * one job at a time per page in event order, each in one transaction that holds the job row
 * (`FOR UPDATE SKIP LOCKED`: one instance works on a job at a time).
 *
 * Idempotency: `statuspage_sync_objects` maps Fireline ids to Statuspage ids and is written in the
 * job's transaction, so a redelivered event (a duplicate job is refused by `UNIQUE (page_id, event_id)`)
 * or a retried job creates nothing twice. A process that dies between Statuspage's answer to a create
 * and the commit loses the mapping; before any create the worker therefore looks for the object first:
 * an incident by its marker (`metadata.fireline.id`, set on every incident it creates), a component by
 * its name (which also adopts components a team already has). That costs one GET per create, within
 * the rate limit; a marker survives renames, where a name match would not.
 *
 * Failures: 420/429 wait `Retry-After` (and hold the key off for everyone), 5xx/timeouts back off, both
 * within `retryWindowMs`; other 4xx fail the job at once (`failed`, with the error). Later jobs of the
 * page wait for earlier ones, so the mirror never runs ahead of a failing update.
 */
export class StatuspageSyncWorker {
  private readonly logger = new Logger(StatuspageSyncWorker.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly pool: Pool,
    private readonly secrets: NotificationSecretBox,
    private readonly client: StatuspageClient,
    private readonly options: StatuspageSyncWorkerOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.drain().finally(() => {
        this.running = null;
        this.schedule(this.options.pollIntervalMs);
      });
    }, ms);
  }

  /** Works jobs until none is due. Never throws. */
  async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.workOne())) {
        // next
      }
    } catch (error) {
      this.logger.warn(`Statuspage sync paused: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Works the oldest due job of some page. @returns false when none was due. */
  async workOne(): Promise<boolean> {
    // One cheap read while idle (the usual case): no transaction unless a job is due.
    const due = await this.pool.query(`SELECT 1 FROM statuspage_sync_jobs WHERE status = 'pending' AND next_attempt_at <= now() LIMIT 1`);
    if (due.rowCount === 0) return false;
    const tx = await this.pool.connect();
    try {
      await tx.query('BEGIN');
      const { rows } = await tx.query<JobRow>(NEXT_SYNC_JOB_SQL);
      const job = rows[0];
      if (!job) {
        await tx.query('COMMIT');
        return false;
      }
      await this.work(tx, job);
      await tx.query('COMMIT');
      return true;
    } catch (error) {
      await tx.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      tx.release();
    }
  }

  private async work(tx: PoolClient, job: JobRow): Promise<void> {
    const config = await tx.query<{ statuspage_page_id: string; api_key: string }>(`SELECT statuspage_page_id, api_key FROM statuspage_sync_configs WHERE page_id = $1`, [job.page_id]);
    if (!config.rows[0]) {
      await this.finish(tx, job, 'skipped', 'the page no longer mirrors to Statuspage');
      return;
    }
    let target: StatuspageTarget;
    try {
      target = { apiUrl: this.options.apiUrl, pageId: config.rows[0].statuspage_page_id, apiKey: this.secrets.openStatuspageApiKey(job.page_id, config.rows[0].api_key) };
    } catch (error) {
      await this.finish(tx, job, 'failed', `cannot decrypt the Statuspage API key: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    try {
      await this.apply(tx, job.page_id, target, statuspageCallsFor(job.event));
      await this.finish(tx, job, 'done', null);
    } catch (error) {
      if (error instanceof StatuspageRejected) {
        this.logger.warn(`Statuspage sync of event ${job.event_id} failed: ${error.message}`);
        await this.finish(tx, job, 'failed', error.message);
      } else if (error instanceof StatuspageRetryLater) {
        await this.retryLater(tx, job, error);
      } else {
        throw error;
      }
    }
  }

  private async apply(tx: PoolClient, pageId: string, target: StatuspageTarget, calls: StatuspageCall[]): Promise<void> {
    const createdNow = new Set<string>();
    for (const call of calls) {
      switch (call.kind) {
        case 'ensure-components':
          await this.ensureComponents(tx, pageId, target, call.components);
          break;
        case 'set-component-status': {
          const id = await this.mapped(tx, pageId, 'component', call.componentId);
          if (id !== null) await this.client.request(target, 'PATCH', `/components/${encodeURIComponent(id)}`, { component: { status: call.status } });
          break;
        }
        case 'create-incident':
          if (await this.ensureIncident(tx, pageId, target, call.objectKind, call.firelineId, call.incident, call.componentStatuses)) createdNow.add(call.firelineId);
          break;
        case 'update-incident': {
          if (createdNow.has(call.firelineId)) break; // created as it stands now: the update is in it
          const id = await this.mapped(tx, pageId, call.objectKind, call.firelineId);
          if (id === null) break;
          const components = await this.componentFields(tx, pageId, call.componentStatuses);
          await this.client.request(target, 'PATCH', `/incidents/${encodeURIComponent(id)}`, { incident: { ...call.incident, ...components } });
          break;
        }
        case 'delete-incident': {
          const id = await this.mapped(tx, pageId, call.objectKind, call.firelineId);
          if (id === null) break;
          try {
            await this.client.request(target, 'DELETE', `/incidents/${encodeURIComponent(id)}`);
          } catch (error) {
            if (!(error instanceof StatuspageRejected && error.httpStatus === 404)) throw error;
          }
          await tx.query(`DELETE FROM statuspage_sync_objects WHERE page_id = $1 AND kind = $2 AND fireline_id = $3`, [pageId, call.objectKind, call.firelineId]);
          break;
        }
        default: {
          const exhaustive: never = call;
          return exhaustive;
        }
      }
    }
  }

  private async ensureComponents(tx: PoolClient, pageId: string, target: StatuspageTarget, components: { id: string; name: string; status: string }[]): Promise<void> {
    let existing: SpComponent[] | null = null;
    for (const component of components) {
      if ((await this.mapped(tx, pageId, 'component', component.id)) !== null) continue;
      existing ??= (await this.client.request<SpComponent[]>(target, 'GET', '/components')) ?? [];
      const twin = existing.find((c) => c.name === component.name);
      const id = twin?.id ?? (await this.client.request<SpComponent>(target, 'POST', '/components', { component: { name: component.name, status: component.status } })).id;
      await this.map(tx, pageId, 'component', component.id, id);
    }
  }

  /** @returns true when it created the incident now (not mapped, no marked twin). */
  private async ensureIncident(
    tx: PoolClient,
    pageId: string,
    target: StatuspageTarget,
    kind: 'incident' | 'maintenance',
    firelineId: string,
    incident: Record<string, unknown>,
    statuses: ComponentStatuses,
  ): Promise<boolean> {
    if ((await this.mapped(tx, pageId, kind, firelineId)) !== null) return false;
    const query = new URLSearchParams({ q: String(incident.name ?? ''), limit: '100' });
    const found = (await this.client.request<SpIncident[]>(target, 'GET', `/incidents?${query.toString()}`)) ?? [];
    const twin = found.find((i) => i.metadata?.fireline?.id === firelineId);
    if (twin) {
      await this.map(tx, pageId, kind, firelineId, twin.id);
      return false;
    }
    const components = await this.componentFields(tx, pageId, statuses);
    const created = await this.client.request<SpIncident>(target, 'POST', '/incidents', { incident: { ...incident, ...components } });
    await this.map(tx, pageId, kind, firelineId, created.id);
    return true;
  }

  /** `component_ids` and `components` (Statuspage id -> status) of the mapped components. */
  private async componentFields(tx: PoolClient, pageId: string, statuses: ComponentStatuses): Promise<{ component_ids: string[]; components: Record<string, string> }> {
    const ids = Object.keys(statuses);
    if (ids.length === 0) return { component_ids: [], components: {} };
    const { rows } = await tx.query<{ fireline_id: string; statuspage_id: string }>(
      `SELECT fireline_id, statuspage_id FROM statuspage_sync_objects WHERE page_id = $1 AND kind = 'component' AND fireline_id = ANY($2::text[])`,
      [pageId, ids],
    );
    return { component_ids: rows.map((r) => r.statuspage_id), components: Object.fromEntries(rows.map((r) => [r.statuspage_id, statuses[r.fireline_id]!])) };
  }

  private async mapped(tx: PoolClient, pageId: string, kind: ObjectKind, firelineId: string): Promise<string | null> {
    const { rows } = await tx.query<{ statuspage_id: string }>(`SELECT statuspage_id FROM statuspage_sync_objects WHERE page_id = $1 AND kind = $2 AND fireline_id = $3`, [
      pageId,
      kind,
      firelineId,
    ]);
    return rows[0]?.statuspage_id ?? null;
  }

  private async map(tx: PoolClient, pageId: string, kind: ObjectKind, firelineId: string, statuspageId: string): Promise<void> {
    await tx.query(
      `INSERT INTO statuspage_sync_objects (page_id, kind, fireline_id, statuspage_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (page_id, kind, fireline_id) DO UPDATE SET statuspage_id = EXCLUDED.statuspage_id, updated_at = now()`,
      [pageId, kind, firelineId, statuspageId],
    );
  }

  private async finish(tx: PoolClient, job: JobRow, status: 'done' | 'failed' | 'skipped', error: string | null): Promise<void> {
    await tx.query(
      `UPDATE statuspage_sync_jobs SET status = $2, attempts = attempts + 1, last_error = $3, first_attempt_at = coalesce(first_attempt_at, now()), finished_at = now() WHERE seq = $1`,
      [job.seq, status, error],
    );
  }

  private async retryLater(tx: PoolClient, job: JobRow, error: StatuspageRetryLater): Promise<void> {
    const firstAt = job.first_attempt_at?.getTime() ?? Date.now();
    if (Date.now() - firstAt > this.options.retryWindowMs) {
      await this.finish(tx, job, 'failed', `gave up after ${job.attempts + 1} attempts: ${error.message}`);
      return;
    }
    const delayMs = error.retryAfterMs ?? Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** Math.min(job.attempts, 20));
    await tx.query(
      `UPDATE statuspage_sync_jobs
          SET attempts = attempts + 1, last_error = $2, first_attempt_at = coalesce(first_attempt_at, now()),
              next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
        WHERE seq = $1`,
      [job.seq, error.message, delayMs],
    );
  }
}
