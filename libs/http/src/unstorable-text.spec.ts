import { findUnstorableText, REPLACEMENT_CHARACTER, sanitizeUnstorableText } from './unstorable-text';

const R = REPLACEMENT_CHARACTER;

describe(findUnstorableText.name, () => {
  it('finds NUL and lone surrogates in values and keys at any depth, and nothing in storable text', () => {
    const value = {
      title: `a\u0000b`,
      fine: 'emoji 🔥 and é',
      services: ['ok', `x\ud800`],
      nested: { [`ke\udc00y`]: 'v', deeper: [{ text: `\udc00\ud83d` }] },
      number: 1,
      nothing: null,
    };
    expect(findUnstorableText(value).sort()).toEqual(['nested.deeper.0.text', `nested.ke${R}y`, 'services.1', 'title'].sort());
    expect(findUnstorableText({ fine: 'emoji 🔥', pair: '\ud83d\udd25' })).toEqual([]);
  });

  it('names a string at the root with an empty path', () => {
    expect(findUnstorableText('\u0000')).toEqual(['']);
  });

  it('walks 100,000 levels of nesting without overflowing the stack', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorableText(deep)).toHaveLength(1);
  });

  it('reports at most 100 fields', () => {
    expect(findUnstorableText(Array.from({ length: 1_000 }, () => '\u0000'))).toHaveLength(100);
  });
});

describe(sanitizeUnstorableText.name, () => {
  it('replaces each unstorable character with U+FFFD in values and keys, leaving the input untouched', () => {
    const input = { summary: 'disk\u0000full', details: { [`mount\ud800`]: ['\udc00', 'ok', 3, true, null] }, pair: '🔥' };
    const { value, fields } = sanitizeUnstorableText(input);
    expect(value).toEqual({ summary: `disk${R}full`, details: { [`mount${R}`]: [R, 'ok', 3, true, null] }, pair: '🔥' });
    expect(fields.sort()).toEqual(['details.mount\uFFFD', 'details.mount\uFFFD.0', 'summary'].sort());
    expect(input.summary).toBe('disk\u0000full');
    expect(findUnstorableText(value)).toEqual([]);
  });

  it('is deterministic: the same body always gives the same value', () => {
    const raw = JSON.stringify({ dedup_key: 'k\u0000', payload: { summary: '\ud800s' } });
    expect(sanitizeUnstorableText(JSON.parse(raw))).toEqual(sanitizeUnstorableText(JSON.parse(raw)));
  });

  it('returns the very value when there is nothing to replace', () => {
    const value = { a: ['b'] };
    expect(sanitizeUnstorableText(value).value).toBe(value);
  });

  it('keeps a __proto__ key as data, never as a prototype', () => {
    const { value } = sanitizeUnstorableText(JSON.parse('{"__proto__":{"polluted":"\\u0000"}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
