import { INCIDENT_INTEGRATION_EVENT_TYPES_V1, type IncidentIntegrationEventV1, type IntegrationEvent } from '@fireline/contracts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Narrows an envelope from `fireline.incidents.v1` to a v1 incident event this service understands:
 * a known type, version 1, and a `data.incident` snapshot with severity, status, title and services.
 * Anything else (a newer version, a type added later) is not ours to interpret and is acknowledged.
 */
export function asIncidentEventV1(event: IntegrationEvent): IncidentIntegrationEventV1 | null {
  if (event.version !== 1) return null;
  if (!(INCIDENT_INTEGRATION_EVENT_TYPES_V1 as readonly string[]).includes(event.type)) return null;
  if (!isRecord(event.data) || typeof event.data.incidentId !== 'string') return null;
  const incident = event.data.incident;
  if (!isRecord(incident)) return null;
  if (typeof incident.severity !== 'string' || typeof incident.status !== 'string' || typeof incident.title !== 'string') return null;
  if (!Array.isArray(incident.services) || !incident.services.every((s) => typeof s === 'string')) return null;
  return event as IncidentIntegrationEventV1;
}
