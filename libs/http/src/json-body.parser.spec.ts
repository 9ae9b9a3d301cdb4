import { jsonNestsDeeperThan, MAX_JSON_DEPTH, parseJsonBody } from './json-body.parser';

const nested = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

describe(parseJsonBody.name, () => {
  it(`accepts JSON exactly ${MAX_JSON_DEPTH} levels deep and refuses one level more with REQUEST.TOO_DEEPLY_NESTED`, () => {
    expect(parseJsonBody(nested(MAX_JSON_DEPTH))).toBeInstanceOf(Object);
    expect(() => parseJsonBody(nested(MAX_JSON_DEPTH + 1))).toThrow(expect.objectContaining({ code: 'REQUEST.TOO_DEEPLY_NESTED' }));
  });

  it('refuses a million levels of arrays quickly, without parsing them', () => {
    const text = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    expect(() => parseJsonBody(text)).toThrow(expect.objectContaining({ code: 'REQUEST.TOO_DEEPLY_NESTED' }));
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(parseJsonBody(JSON.stringify({ text: '{{{{[[[[\\"'.repeat(100) }))).toEqual({ text: '{{{{[[[[\\"'.repeat(100) });
    expect(jsonNestsDeeperThan('{"a":"\\"{{{{"}', 1)).toBe(false);
  });

  it.each([
    ['a __proto__ key', '{"a":{"__proto__":{"polluted":true}}}', 'REQUEST.INVALID'],
    ['a constructor.prototype pair', '{"constructor":{"prototype":{"polluted":true}}}', 'REQUEST.INVALID'],
    ['malformed JSON', '{"title": ', 'REQUEST.MALFORMED_JSON'],
    ['an empty body', '  ', 'REQUEST.EMPTY_JSON_BODY'],
  ])('refuses %s', (_name, text, code) => {
    expect(() => parseJsonBody(text)).toThrow(expect.objectContaining({ code }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps NUL and lone surrogates as parsed (the validation pipe or the receiver decides)', () => {
    expect(parseJsonBody('{"a":"x\\u0000\\ud800"}')).toEqual({ a: 'x\u0000\ud800' });
  });
});
