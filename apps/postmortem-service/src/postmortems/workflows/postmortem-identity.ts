import { createHash } from 'node:crypto';

/**
 * A name-based UUID: the first 16 bytes of `sha1(name)` with version nibble 5 and the RFC 4122 variant
 * (UUIDv5-style, without a namespace). The same name always gives the same id.
 */
export function nameBasedUuid(name: string): string {
  const bytes = createHash('sha1').update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The one postmortem id of an incident. Deterministic so that a redelivered or concurrently handled
 * `IncidentResolved` cannot create a second postmortem: both target the same stream.
 */
export function postmortemIdForIncident(incidentId: string): string {
  return nameBasedUuid(`postmortem:${incidentId}`);
}
