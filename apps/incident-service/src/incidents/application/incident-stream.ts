/** Stream naming of the incident aggregate: `incident-<uuid>`, stream type `incident`. */
export const INCIDENT_STREAM_TYPE = 'incident';

/** `incident-<uuid>`: the stream that holds one incident's events. */
export function incidentStreamId(incidentId: string): string {
  return `${INCIDENT_STREAM_TYPE}-${incidentId}`;
}
