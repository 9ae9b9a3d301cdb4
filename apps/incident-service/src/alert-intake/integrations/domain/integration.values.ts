import type { AlertSeverity } from '../../domain/alert.values';
import type { Severity } from '../../../incidents/domain/incident.values';

/**
 * What sends alerts through an integration:
 * - `events-v2`: anything speaking the PagerDuty Events API v2
 *   (https://developer.pagerduty.com/docs/events-api-v2/overview/), authenticated by a routing key in the body;
 * - `alertmanager`: Prometheus Alertmanager's webhook receiver (payload `version: "4"`,
 *   https://prometheus.io/docs/alerting/latest/configuration/#webhook_config), authenticated by a bearer token;
 * - `pagerduty-webhooks-v3`: PagerDuty's outbound webhooks, signed with HMAC-SHA256 (`X-PagerDuty-Signature`,
 *   https://developer.pagerduty.com/docs/webhooks/webhook-signatures/) with the secret(s) PagerDuty shows.
 */
export const INTEGRATION_TYPES = ['events-v2', 'alertmanager', 'pagerduty-webhooks-v3'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

/** Alert severity -> incident severity. */
export type SeverityMapping = Record<AlertSeverity, Severity>;

export const DEFAULT_SEVERITY_MAPPING: Readonly<SeverityMapping> = Object.freeze({
  critical: 'SEV1',
  error: 'SEV2',
  warning: 'SEV3',
  info: 'SEV4',
});

/**
 * What becomes of an alert's incident when all its alerts resolve:
 * - `unless_taken_over` (default): resolved, unless someone other than the integration has acted on it
 *   since it was declared (then only a timeline note says why not);
 * - `always`: resolved, even if a human took it over;
 * - `never`: only a timeline note; people resolve it.
 */
export const AUTO_RESOLVE_POLICIES = ['unless_taken_over', 'always', 'never'] as const;
export type AutoResolvePolicy = (typeof AUTO_RESOLVE_POLICIES)[number];
export const DEFAULT_AUTO_RESOLVE: AutoResolvePolicy = 'unless_taken_over';

/** PagerDuty shows two signing secrets while one is being rotated; we keep at most that many. */
export const MAX_SIGNING_SECRETS = 2;

export const INTEGRATION_LIMITS = { nameMax: 100, serviceMax: 100, signingSecretMin: 16, signingSecretMax: 512 } as const;

/** The default mapping with `overrides` applied (an `undefined` override keeps the default). */
export function severityMappingWith(overrides: Partial<SeverityMapping> = {}): SeverityMapping {
  const mapping: SeverityMapping = { ...DEFAULT_SEVERITY_MAPPING };
  for (const severity of Object.keys(mapping) as (keyof SeverityMapping)[]) {
    const override = overrides[severity];
    if (override !== undefined) mapping[severity] = override;
  }
  return mapping;
}
