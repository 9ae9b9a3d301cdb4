import { createHash } from 'node:crypto';

/**
 * The id of the `index`-th event (0-based) a command emits, derived from its `commandId`: the first 16
 * bytes of `sha1(commandId + ':' + index)` laid out as an RFC 4122 UUID with version nibble 5 and the
 * RFC 4122 variant (like a UUIDv5, without a namespace). The same command retried yields the same ids,
 * so the store recognises the retry.
 *
 * @returns a lower-case UUID string, e.g. `'2f1a…-…'`.
 * @throws RangeError when `index` is not a non-negative integer.
 */
export function commandEventId(commandId: string, index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`index must be a non-negative integer, got ${index}`);
  return nameBasedUuid(`${commandId}:${index}`);
}

/**
 * A UUID derived from `name` alone (the same name always gives the same UUID): the first 16 bytes of
 * `sha1(name)` with version nibble 5 and the RFC 4122 variant. For ids that retries and races must agree
 * on, e.g. an incident id derived from an `Idempotency-Key`.
 */
export function nameBasedUuid(name: string): string {
  const bytes = createHash('sha1').update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
