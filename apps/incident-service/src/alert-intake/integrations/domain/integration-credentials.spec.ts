import { createHash } from 'node:crypto';
import { credentialHash, credentialHashFor, issueCredential, newBearerToken, newRoutingKey, ROUTING_KEY_PATTERN } from './integration-credentials';

describe('integration credentials', () => {
  it('issues 32-character [a-z0-9] routing keys, different every time', () => {
    const keys = new Set(Array.from({ length: 200 }, () => newRoutingKey()));
    expect(keys.size).toBe(200);
    for (const key of keys) expect(key).toMatch(ROUTING_KEY_PATTERN);
  });

  it('skips biased bytes when drawing routing-key characters', () => {
    const bytes = [255, 252, 0, 35, 36];
    const key = newRoutingKey((size) => Buffer.from(Array.from({ length: size }, (_, i) => bytes[i % bytes.length])));
    expect(key.startsWith('a9a')).toBe(true);
    expect(key).toMatch(ROUTING_KEY_PATTERN);
  });

  it('issues prefixed bearer tokens with 256 random bits', () => {
    expect(newBearerToken()).toMatch(/^flt_[A-Za-z0-9_-]{43}$/);
  });

  it('stores only the sha256 of a credential', () => {
    const issued = issueCredential('events-v2');
    expect(issued?.hash).toBe(createHash('sha256').update(issued!.secret).digest('hex'));
    expect(credentialHash('x')).toHaveLength(64);
  });

  it('remembers a credential hash per holder, and never answers for another secret', () => {
    const body = { routing_key: 'a'.repeat(32) };
    expect(credentialHashFor(body, body.routing_key)).toBe(credentialHash('a'.repeat(32)));
    expect(credentialHashFor(body, body.routing_key)).toBe(credentialHash('a'.repeat(32)));
    // The same holder asked about another secret (a body changed in between): that secret's hash.
    expect(credentialHashFor(body, 'b'.repeat(32))).toBe(credentialHash('b'.repeat(32)));
    expect(credentialHashFor({ routing_key: 'a'.repeat(32) }, 'a'.repeat(32))).toBe(credentialHash('a'.repeat(32)));
  });

  it('issues nothing for PagerDuty webhooks, which are verified with the user-given signing secrets', () => {
    expect(issueCredential('pagerduty-webhooks-v3')).toBeNull();
  });
});
