import { createHmac, timingSafeEqual } from 'node:crypto';
import { isAuthenticPagerDutyDelivery, MAX_SIGNATURES, v1SignaturesOf } from './pagerduty-signature';

const body = Buffer.from('{"event":{"id":"E1","event_type":"incident.triggered","data":{}}}', 'utf8');
const secret = 'whsec-current';
const sign = (key: string, bytes: Buffer = body): string => createHmac('sha256', key).update(bytes).digest('hex');

describe('isAuthenticPagerDutyDelivery', () => {
  it('accepts a single v1 signature under the secret', () => {
    expect(isAuthenticPagerDutyDelivery(body, `v1=${sign(secret)}`, [secret])).toBe(true);
  });

  it('accepts when any of several v1 values matches (PagerDuty signs with old and new secret during rotation)', () => {
    expect(isAuthenticPagerDutyDelivery(body, `v1=${sign('retired')},v1=${sign(secret)}`, [secret])).toBe(true);
    expect(isAuthenticPagerDutyDelivery(body, `v1=${sign(secret)}, v1=${sign('retired')}`, [secret])).toBe(true);
  });

  it('accepts when the match is under any of the integration secrets', () => {
    expect(isAuthenticPagerDutyDelivery(body, `v1=${sign(secret)}`, ['whsec-other', secret])).toBe(true);
  });

  it('accepts uppercase hex and a repeated header', () => {
    expect(isAuthenticPagerDutyDelivery(body, `v1=${sign(secret).toUpperCase()}`, [secret])).toBe(true);
    expect(isAuthenticPagerDutyDelivery(body, [`v1=${sign('retired')}`, `v1=${sign(secret)}`], [secret])).toBe(true);
  });

  it('rejects a changed body, a wrong secret, a missing header and no secrets', () => {
    const tampered = Buffer.from(body.toString('utf8').replace('E1', 'E2'), 'utf8');
    expect(isAuthenticPagerDutyDelivery(tampered, `v1=${sign(secret)}`, [secret])).toBe(false);
    expect(isAuthenticPagerDutyDelivery(body, `v1=${sign('wrong')}`, [secret])).toBe(false);
    expect(isAuthenticPagerDutyDelivery(body, undefined, [secret])).toBe(false);
    expect(isAuthenticPagerDutyDelivery(body, '', [secret])).toBe(false);
    expect(isAuthenticPagerDutyDelivery(body, `v1=${sign(secret)}`, [])).toBe(false);
    expect(isAuthenticPagerDutyDelivery(body, `v1=${sign('')}`, [''])).toBe(false);
  });

  it('rejects other versions, bare hex and values of the wrong length without comparing them', () => {
    const equal = jest.fn(timingSafeEqual);
    const good = sign(secret);
    for (const header of [`v0=${good}`, good, `v1=${good.slice(0, 62)}`, `v1=${good}00`, `v1=${good.slice(0, 63)}z`, 'v1=']) {
      expect(isAuthenticPagerDutyDelivery(body, header, [secret], equal)).toBe(false);
    }
    expect(equal).not.toHaveBeenCalled();
  });

  it('compares every signature against every secret in constant time, on equal-length buffers', () => {
    const equal = jest.fn(timingSafeEqual);
    expect(isAuthenticPagerDutyDelivery(body, `v1=${sign(secret)},v1=${sign('retired')}`, ['whsec-other', secret], equal)).toBe(true);
    // No early exit on the match: 2 signatures × 2 secrets.
    expect(equal).toHaveBeenCalledTimes(4);
    for (const [a, b] of equal.mock.calls) {
      expect(a).toBeInstanceOf(Buffer);
      expect(a.byteLength).toBe(32);
      expect(b.byteLength).toBe(32);
    }
  });
});

describe('v1SignaturesOf', () => {
  it('decodes each v1 value and ignores the rest', () => {
    const good = sign(secret);
    expect(v1SignaturesOf(`v1=${good}, v2=${good},junk`).map((b) => b.toString('hex'))).toEqual([good]);
  });

  it(`reads at most ${MAX_SIGNATURES} entries`, () => {
    const header = Array.from({ length: MAX_SIGNATURES + 5 }, () => `v1=${sign(secret)}`).join(',');
    expect(v1SignaturesOf(header)).toHaveLength(MAX_SIGNATURES);
  });
});
