import { API_KEY_PATTERN, generateApiKey, hashApiKey, parseApiKey, randomBase62, sameHash } from './api-key-token';

describe('generateApiKey', () => {
  it('makes a flk_ key whose id, checksum and hash parse back', () => {
    const issued = generateApiKey();
    expect(issued.key).toMatch(API_KEY_PATTERN);
    expect(issued.key).toHaveLength(60);
    expect(issued.key.slice(4, 16)).toBe(issued.keyId);
    expect(parseApiKey(issued.key)).toEqual({ keyId: issued.keyId });
    expect(issued.hashedSecret).toBe(hashApiKey(issued.key));
    expect(issued.hashedSecret).not.toContain(issued.key.slice(16, 54));
  });

  it('never repeats a key id or a key over 10,000 keys', () => {
    const keys = Array.from({ length: 10_000 }, () => generateApiKey());
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(10_000);
    expect(new Set(keys.map((k) => k.key)).size).toBe(10_000);
  });
});

describe('randomBase62', () => {
  it('uses every character about equally (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (const char of randomBase62(62 * 2_000)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const count of counts.values()) expect(Math.abs(count - 2_000)).toBeLessThan(300);
  });
});

describe('parseApiKey', () => {
  const { key } = generateApiKey();
  const swapAt = [...key].findIndex((char, i) => i >= 16 && char !== key[i + 1]);

  it.each([
    ['one character changed', key.slice(0, 30) + (key[30] === 'a' ? 'b' : 'a') + key.slice(31)],
    ['two neighbouring characters swapped', key.slice(0, swapAt) + key[swapAt + 1] + key[swapAt] + key.slice(swapAt + 2)],
    ['the checksum cut off', key.slice(0, -6)],
    ['another prefix', `ghp_${key.slice(4)}`],
    ['a character outside base62', `${key.slice(0, -1)}-`],
    ['surrounding whitespace', ` ${key}`],
    ['a JWT', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
    ['empty', ''],
  ])('refuses %s', (_, candidate) => {
    expect(parseApiKey(candidate)).toBeNull();
  });
});

describe('sameHash', () => {
  it('compares digests, and refuses anything that is not one', () => {
    const a = hashApiKey('a');
    expect(sameHash(a, hashApiKey('a'))).toBe(true);
    expect(sameHash(a, hashApiKey('b'))).toBe(false);
    expect(sameHash(a, a.slice(0, 63))).toBe(false);
    expect(sameHash(a, a.toUpperCase())).toBe(false);
  });
});
