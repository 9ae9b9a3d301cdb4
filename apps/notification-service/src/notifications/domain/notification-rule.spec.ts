import { targetOriginOf } from './notification-rule';

describe(targetOriginOf.name, () => {
  it.each([
    ['https://hooks.example.com/services/T/B/X', 'https://hooks.example.com'],
    ['https://Hooks.Example.COM:443/a?b=c#d', 'https://hooks.example.com'],
    ['http://127.0.0.1:8080/hook', 'http://127.0.0.1:8080'],
    ['https://user:secret@hooks.example.com:8443/x', 'https://hooks.example.com:8443'],
    ['http://[::1]:9000/x', 'http://[::1]:9000'],
  ])('keys %s on its origin %s', (url, origin) => {
    expect(targetOriginOf(url)).toBe(origin);
  });

  it('gives different origins to different ports and schemes of one host', () => {
    expect(new Set(['http://a.example/x', 'https://a.example/x', 'https://a.example:8443/x'].map(targetOriginOf)).size).toBe(3);
  });

  it('keys a URL that does not parse on itself', () => {
    expect(targetOriginOf('not a url')).toBe('not a url');
  });
});
