import { changesBetween, maskSecrets } from './audit-log';

describe('maskSecrets', () => {
  it('masks values under secret-looking keys, at any depth, and leaves the rest', () => {
    expect(
      maskSecrets({
        name: 'ci',
        hashedSecret: 'ab'.repeat(32),
        channel: { type: 'webhook', secret: 'whsec_x', nested: [{ token: 't', password: 'p', apiKey: 'k', routing_key: 'r' }] },
        signingSecrets: ['a', 'b'],
        expiresAt: '2030-01-01T00:00:00.000Z',
        empty: null,
        secret: null,
      }),
    ).toEqual({
      name: 'ci',
      hashedSecret: '***',
      channel: { type: 'webhook', secret: '***', nested: [{ token: '***', password: '***', apiKey: '***', routing_key: '***' }] },
      signingSecrets: '***',
      expiresAt: '2030-01-01T00:00:00.000Z',
      empty: null,
      secret: null,
    });
  });

  it.each([
    ['https://hooks.slack.com/services/T000/B000/XXXXXXXX', 'https://hooks.slack.com/***'],
    ['https://user:pa55@ops.example.com/hook', 'https://***@ops.example.com/***'],
    ['https://ops.example.com/?token=abc', 'https://ops.example.com/***'],
    ['https://ops.example.com', 'https://ops.example.com'],
    ['http://localhost:8080/', 'http://localhost:8080'],
    ['not a url at all', 'not a url at all'],
  ])('keeps only scheme and host of %s', (url, masked) => {
    expect(maskSecrets({ url })).toEqual({ url: masked });
  });

  it('stops at a depth of 8', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20; i++) deep = { a: deep };
    expect(JSON.stringify(maskSecrets(deep))).toContain('"***"');
  });
});

describe('changesBetween', () => {
  it('lists the changed fields only, masked', () => {
    expect(changesBetween({ name: 'a', enabled: true, secret: 's1' }, { name: 'b', enabled: true, secret: 's2' })).toEqual({ name: { from: 'a', to: 'b' }, secret: { from: '***', to: '***' } });
    expect(changesBetween(null, { name: 'a' })).toEqual({ name: { from: null, to: 'a' } });
    expect(changesBetween({ name: 'a' }, null)).toEqual({ name: { from: 'a', to: null } });
  });
});
