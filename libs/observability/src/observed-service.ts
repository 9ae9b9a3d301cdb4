import type { Pool } from 'pg';

/**
 * One service as health checks and metrics see it. The platform observes three; a service run alone, one.
 * - `name`: `incident-service`, the `service` label of every metric.
 * - `poolToken`: Nest token of the service's `pg.Pool` (its own database).
 * - `subscriptions`: names in `subscription_checkpoints` — projections (`projection:…`), relays
 *   (`relay:…`, whose lag is the relay backlog) and workflows (`workflow:…`).
 * - `gauges`: service-specific numbers read from its database on each scrape (e.g. deliveries by status).
 */
export interface ObservedService {
  name: string;
  poolToken: string | symbol;
  subscriptions: readonly string[];
  gauges?: readonly ServiceGauge[];
}

/**
 * A gauge read at scrape time: `read` returns value per label value, e.g. `{ pending: 3,
 * dead_lettered: 1 }` for `label: 'status'`, from the service's database (`pool`) or from a component
 * that keeps the numbers in memory (`resolve` looks it up by its Nest token). Exported as `fireline_<name>`.
 */
export interface ServiceGauge {
  name: string;
  help: string;
  label: string;
  read(pool: Pool, resolve: ProviderLookup): Promise<Record<string, number>>;
}

/** Looks a provider of the app up by its Nest token (or its class). @throws when the app has none. */
export type ProviderLookup = <T>(token: string | symbol | (abstract new (...args: never[]) => T)) => T;

/** Which kind of subscription a name is, from its prefix. */
export function subscriptionKind(name: string): 'projection' | 'relay' | 'workflow' {
  if (name.startsWith('relay:')) return 'relay';
  if (name.startsWith('workflow:')) return 'workflow';
  return 'projection';
}
