import { maskedTargetUrl } from './target-url.mask';

describe(maskedTargetUrl.name, () => {
  it.each([
    ['a Slack incoming webhook', 'https://hooks.slack.com/services/T024BE7LD/B01ABCDEF/abcdefghijklmnopqrstuvwx', 'https://hooks.slack.com/services/T024BE7LD/B01ABCDEF/…uvwx', 'abcdefghijklmnopqrst'],
    ['user name and password', 'https://ops:hunter2-very-secret@hooks.example.com/fireline', 'https://…@hooks.example.com/fireline', 'hunter2'],
    ['a token in the query', 'https://hooks.example.com/in?token=s3cr3t-t0ken-value&team=ops', 'https://hooks.example.com/in?token=…alue&team=ops', 's3cr3t-t0ken'],
    ['a signature and an API key', 'https://x.example/h?sig=0123456789abcdef&api_key=short', 'https://x.example/h?sig=…cdef&api_key=…', 'short'],
    ['a token-looking path segment', 'https://discord.example/api/webhooks/123456/Zx8kQ2mN5pR7sT9vW1yB', 'https://discord.example/api/webhooks/123456/…W1yB', 'Zx8kQ2mN5pR7sT9v'],
  ])('masks %s', (_what, url, masked, secret) => {
    expect(url).toContain(secret);
    expect(maskedTargetUrl(url)).toBe(masked);
    expect(maskedTargetUrl(url)).not.toContain(secret);
  });

  it('keeps what identifies a plain endpoint', () => {
    expect(maskedTargetUrl('https://hooks.example.com:8443/fireline/incidents?team=sre')).toBe('https://hooks.example.com:8443/fireline/incidents?team=sre');
  });

  it('masks what does not parse as a URL', () => {
    expect(maskedTargetUrl('not a url but a long secret value')).toBe('…alue');
  });
});
