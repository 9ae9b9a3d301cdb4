import type { AutoResolvePolicy, IntegrationType, SeverityMapping } from './integration.values';

/** An integration: where alerts come from, which service they page for, and how severities map. */
export interface Integration {
  id: string;
  type: IntegrationType;
  name: string;
  /** The service an incident opened from this integration's alerts is declared for. */
  service: string;
  severityMapping: SeverityMapping;
  /** Whether the incident resolves when its alerts do (see `AUTO_RESOLVE_POLICIES`). */
  autoResolve: AutoResolvePolicy;
  /** `pagerduty-webhooks-v3` only: the HMAC signing secrets (newest first, at most two). */
  signingSecrets: string[];
  createdAt: Date;
  /** Set by a delete; receivers treat a deleted integration as unknown. */
  deletedAt: Date | null;
}

/** `integration:<id>`: the actor of everything an integration does. */
export function integrationActor(integrationId: string): string {
  return `integration:${integrationId}`;
}
