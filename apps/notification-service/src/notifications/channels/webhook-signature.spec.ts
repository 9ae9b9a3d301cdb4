import { createHmac } from 'node:crypto';
import { computeFirelineSignature, firelineSignatureHeaders, generateWebhookSecret, verifyFirelineSignature } from './webhook-signature';

const secret = 'whsec-test-0123456789abcdef';
const body = '{"deliveryId":"d-1","event":{"type":"IncidentDeclared","title":"Zürich ☕"}}';
const now = new Date('2025-11-21T09:00:00.000Z');
const nowS = 1763715600;

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

describe('firelineSignatureHeaders', () => {
  it('signs `${timestamp}.${rawBody}` with HMAC-SHA256 in hex', () => {
    const headers = firelineSignatureHeaders({ deliveryId: 'd-1', secret, rawBody: body, now });
    const expected = createHmac('sha256', secret).update(`${nowS}.${body}`).digest('hex');
    expect(headers).toEqual({
      'Fireline-Delivery-Id': 'd-1',
      'Fireline-Timestamp': String(nowS),
      'Fireline-Signature': `v1=${expected}`,
    });
  });

  it('signs the same bytes whether given a string or its UTF-8 buffer', () => {
    expect(computeFirelineSignature(secret, nowS, body)).toBe(computeFirelineSignature(secret, nowS, Buffer.from(body, 'utf8')));
  });
});

describe('verifyFirelineSignature', () => {
  const signed = lowerCased(firelineSignatureHeaders({ deliveryId: 'd-1', secret, rawBody: body, now }));

  it('accepts a request it signed, from Node headers or fetch Headers', () => {
    expect(verifyFirelineSignature(secret, body, signed, 300, now)).toBe(true);
    expect(verifyFirelineSignature(secret, Buffer.from(body), new Headers(signed), 300, now)).toBe(true);
  });

  it('rejects a tampered body', () => {
    expect(verifyFirelineSignature(secret, body.replace('d-1', 'd-2'), signed, 300, now)).toBe(false);
    expect(verifyFirelineSignature(secret, `${body} `, signed, 300, now)).toBe(false);
  });

  it('rejects a different secret', () => {
    expect(verifyFirelineSignature('another-secret-abcdefgh', body, signed, 300, now)).toBe(false);
  });

  it('rejects a timestamp older than the tolerance, and one too far in the future', () => {
    expect(verifyFirelineSignature(secret, body, signed, 300, new Date(now.getTime() + 301_000))).toBe(false);
    expect(verifyFirelineSignature(secret, body, signed, 300, new Date(now.getTime() - 301_000))).toBe(false);
    expect(verifyFirelineSignature(secret, body, signed, 300, new Date(now.getTime() + 299_000))).toBe(true);
  });

  it('rejects a timestamp edited to look fresh, since it is part of the signed text', () => {
    const replayed = { ...signed, 'fireline-timestamp': String(nowS + 600) };
    expect(verifyFirelineSignature(secret, body, replayed, 300, new Date(now.getTime() + 600_000))).toBe(false);
  });

  it('rejects missing or malformed headers', () => {
    expect(verifyFirelineSignature(secret, body, {}, 300, now)).toBe(false);
    expect(verifyFirelineSignature(secret, body, { ...signed, 'fireline-signature': 'v0=abc' }, 300, now)).toBe(false);
    expect(verifyFirelineSignature(secret, body, { ...signed, 'fireline-timestamp': 'yesterday' }, 300, now)).toBe(false);
  });

  it('accepts any one matching v1 value among several', () => {
    const rotated = { ...signed, 'fireline-signature': `v1=${'0'.repeat(64)}, ${signed['fireline-signature']}` };
    expect(verifyFirelineSignature(secret, body, rotated, 300, now)).toBe(true);
  });
});

describe('generateWebhookSecret', () => {
  it('encodes 32 random bytes as hex after a whsec_ prefix', () => {
    expect(generateWebhookSecret(() => Buffer.alloc(32, 0xab))).toBe(`whsec_${'ab'.repeat(32)}`);
    expect(generateWebhookSecret()).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(generateWebhookSecret()).not.toBe(generateWebhookSecret());
  });
});
