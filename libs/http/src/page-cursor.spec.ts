import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { cursorCodec, cursorKey, toPage } from './page-cursor';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const invalid = expect.objectContaining({ code: 'REQUEST.INVALID_CURSOR' });

describe(cursorCodec.name, () => {
  const incidents = cursorCodec('incidents', z.tuple([cursorKey.timestamp(), cursorKey.uuid()]));
  const actionItems = cursorCodec('action-items', z.tuple([cursorKey.date(), cursorKey.timestamp(), cursorKey.uuid()]));
  const deliveries = cursorCodec('deliveries', cursorKey.position());
  const timeline = cursorCodec('incident-timeline', cursorKey.version());

  it('decodes what it encoded', () => {
    const key: [string, string] = ['2026-11-21T10:00:00.000Z', randomUUID()];
    expect(incidents.decode(incidents.encode(key))).toEqual(key);
    expect(deliveries.decode(deliveries.encode('9223372036854775807'))).toBe('9223372036854775807');
    expect(timeline.decode(timeline.encode(4_000))).toBe(4_000);
    expect(incidents.encode(key)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuses a cursor of another list, even one whose key has the same shape', () => {
    const postmortems = cursorCodec('postmortems', z.tuple([cursorKey.timestamp(), cursorKey.uuid()]));
    expect(() => postmortems.decode(incidents.encode(['2026-11-21T10:00:00.000Z', randomUUID()]))).toThrow(invalid);
  });

  it.each([
    ['an impossible timestamp', () => incidents.decode(b64(JSON.stringify({ v: 1, l: 'incidents', k: ['9999-99-99T99:99:99.999Z', randomUUID()] })))],
    ['a rolled-over date', () => incidents.decode(b64(JSON.stringify({ v: 1, l: 'incidents', k: ['2026-02-30T10:00:00.000Z', randomUUID()] })))],
    ['month 13', () => actionItems.decode(b64(JSON.stringify({ v: 1, l: 'action-items', k: ['2020-13-45', '2020-01-01T00:00:00.000Z', randomUUID()] })))],
    ['dashes for a UUID', () => incidents.decode(b64(JSON.stringify({ v: 1, l: 'incidents', k: ['2020-01-01T00:00:00.000Z', '-'.repeat(36)] })))],
    ['a position past bigint', () => deliveries.decode(b64(JSON.stringify({ v: 1, l: 'deliveries', k: '9223372036854775808' })))],
    ['a negative position', () => deliveries.decode(b64(JSON.stringify({ v: 1, l: 'deliveries', k: '-1' })))],
    ['a timestamp where a position belongs', () => deliveries.decode(b64(JSON.stringify({ v: 1, l: 'deliveries', k: '2025-01-01T00:00:00.000Z' })))],
    ['a fractional version', () => timeline.decode(b64(JSON.stringify({ v: 1, l: 'incident-timeline', k: 1.5 })))],
    ['another format version', () => timeline.decode(b64(JSON.stringify({ v: 2, l: 'incident-timeline', k: 1 })))],
    ['an extra member', () => timeline.decode(b64(JSON.stringify({ v: 1, l: 'incident-timeline', k: 1, x: 1 })))],
    ['the ledger cursor of issue 8', () => incidents.decode('MjAyMC0wMS0wMVQwMDowMDowMC4wMDBafC0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLQ')],
    ['not base64url', () => incidents.decode('!!!***')],
    ['base64 that is not JSON', () => incidents.decode(b64('seq:1'))],
    ['an empty string', () => incidents.decode('')],
    ['600 characters', () => incidents.decode('A'.repeat(600))],
  ])('refuses %s with REQUEST.INVALID_CURSOR', (_name, decode) => {
    expect(decode).toThrow(invalid);
  });
});

describe(toPage.name, () => {
  const codec = cursorCodec('numbers', cursorKey.version());

  it('returns `limit` rows and the cursor of the last one when there were more', () => {
    const page = toPage([1, 2, 3], 2, codec, (n) => n);
    expect(page.items).toEqual([1, 2]);
    expect(codec.decode(page.nextCursor!)).toBe(2);
    expect(toPage([1, 2], 2, codec, (n) => n).nextCursor).toBeNull();
  });
});
