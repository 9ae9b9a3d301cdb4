import { createHash } from 'node:crypto';
import { commandEventId } from './event-id';

describe(commandEventId.name, () => {
  it('derives the same RFC 4122 version-5 UUID for the same command and index', () => {
    const id = commandEventId('cmd-1', 0);

    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(commandEventId('cmd-1', 0)).toBe(id);
  });

  it('derives different ids for different indexes and commands', () => {
    const ids = new Set([commandEventId('cmd-1', 0), commandEventId('cmd-1', 1), commandEventId('cmd-2', 0), commandEventId('cmd-1:0', 0)]);

    expect(ids.size).toBe(4);
  });

  it('formats the first 16 bytes of sha1(commandId:index) with version and variant bits set', () => {
    const hex = createHash('sha1').update('abc:0').digest('hex');
    const expected = [
      hex.slice(0, 8),
      hex.slice(8, 12),
      `5${hex.slice(13, 16)}`,
      ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16) + hex.slice(18, 20),
      hex.slice(20, 32),
    ].join('-');

    expect(commandEventId('abc', 0)).toBe(expected);
  });

  it('rejects a negative or fractional index', () => {
    expect(() => commandEventId('cmd', -1)).toThrow(RangeError);
    expect(() => commandEventId('cmd', 1.5)).toThrow(RangeError);
  });
});
