import { subscriptionStatuses } from '@fireline/event-store';
import type { MessageTransport, TransportStatus } from '@fireline/messaging';
import type { Pool } from 'pg';
import { subscriptionKind, type ObservedService, type ProviderLookup } from './observed-service';

/** One service's database and progress, as `/health/ready` shows it. Counts are events or messages. */
export interface ServiceStatus {
  name: string;
  database: { up: boolean; error?: string };
  /** Every subscription with the events it has not handled yet. */
  subscriptions: { name: string; kind: 'projection' | 'relay' | 'workflow'; behind: number }[];
  /** Events committed to the store and not yet published, summed over the service's relays. */
  relayBacklog: number;
  /** Rows in the service's `dead_letters` table, by consumer (messages its consumers gave up on). */
  deadLetters: { consumer: string; count: number }[];
  /** `ServiceGauge` values, by gauge name then label value. */
  gauges: Record<string, Record<string, number>>;
}

/** The whole process: each observed service plus the one transport they share. */
export interface ProcessStatus {
  ready: boolean;
  services: ServiceStatus[];
  transport: TransportStatus;
}

/** Per-check limit (ms): a hung database or broker makes readiness fail fast instead of hanging the probe. */
export const STATUS_CHECK_TIMEOUT_MS = 3_000;

/**
 * Reads everything `/health/ready` and `/metrics` report. Never throws: a database or broker that
 * fails or takes longer than `timeoutMs` is reported as down. Ready = every database answers and the
 * transport is up; lag and dead letters are reported, not judged (a backlog is no reason to stop
 * taking traffic — that would make it worse).
 */
export async function readProcessStatus(
  services: readonly { service: ObservedService; pool: Pool; resolve?: ProviderLookup }[],
  transport: MessageTransport,
  timeoutMs = STATUS_CHECK_TIMEOUT_MS,
): Promise<ProcessStatus> {
  const [transportStatus, ...serviceStatuses] = await Promise.all([
    withTimeout(transport.status(), timeoutMs).catch(
      (error: unknown): TransportStatus => ({ transport: 'kafka', up: false, problems: [message(error)], consumerLag: [], deadLetterTopics: [], deadLetteredSinceStart: 0 }),
    ),
    ...services.map(({ service, pool, resolve }) => readServiceStatus(service, pool, resolve ?? noProviders, timeoutMs)),
  ]);
  return { ready: transportStatus.up && serviceStatuses.every((s) => s.database.up), services: serviceStatuses, transport: transportStatus };
}

const noProviders: ProviderLookup = (token) => {
  throw new Error(`no provider ${String(token)} to read a gauge from`);
};

async function readServiceStatus(service: ObservedService, pool: Pool, resolve: ProviderLookup, timeoutMs: number): Promise<ServiceStatus> {
  const down = (error: unknown): ServiceStatus => ({
    name: service.name,
    database: { up: false, error: message(error) },
    subscriptions: [],
    relayBacklog: 0,
    deadLetters: [],
    gauges: {},
  });
  try {
    return await withTimeout(
      (async (): Promise<ServiceStatus> => {
        const [statuses, deadLetters, gaugeValues] = await Promise.all([
          service.subscriptions.length > 0 ? subscriptionStatuses(pool, service.subscriptions) : [],
          pool.query<{ consumer: string; count: string }>('SELECT consumer, count(*)::text AS count FROM dead_letters GROUP BY consumer ORDER BY consumer'),
          Promise.all((service.gauges ?? []).map(async (gauge) => [gauge.name, await gauge.read(pool, resolve)] as const)),
        ]);
        const subscriptions = statuses.map((s) => ({ name: s.name, kind: subscriptionKind(s.name), behind: s.behind }));
        return {
          name: service.name,
          database: { up: true },
          subscriptions,
          relayBacklog: subscriptions.filter((s) => s.kind === 'relay').reduce((sum, s) => sum + s.behind, 0),
          deadLetters: deadLetters.rows.map((row) => ({ consumer: row.consumer, count: Number(row.count) })),
          gauges: Object.fromEntries(gaugeValues),
        };
      })(),
      timeoutMs,
    );
  } catch (error) {
    return down(error);
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
