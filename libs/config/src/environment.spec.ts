import { z } from 'zod';
import { booleanKey, ConfigError, environmentKeysOf, httpListenerOf, httpListenerSchema, integerKey, parseEnvironment, postgresUrlKey } from './environment';

describe(parseEnvironment.name, () => {
  const own = z.object({ DATABASE_URL: postgresUrlKey(), POOL_SIZE: integerKey(1, 200, 10), MIGRATIONS_RUN: booleanKey(true) });

  it('returns each schema output under its name, with defaults for unset and blank keys', () => {
    const parsed = parseEnvironment('spec-service', { DATABASE_URL: 'postgres://u:p@db:5432/x', POOL_SIZE: '', PORT: '8080' }, { own, http: httpListenerSchema(3001) });
    expect(parsed).toEqual({
      own: { DATABASE_URL: 'postgres://u:p@db:5432/x', POOL_SIZE: 10, MIGRATIONS_RUN: true },
      http: {
        HOST: '0.0.0.0',
        PORT: 8080,
        HTTP_REQUEST_TIMEOUT_MS: 30_000,
        HTTP_HEADERS_TIMEOUT_MS: 10_000,
        HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
        HTTP_CONNECTION_TIMEOUT_MS: 120_000,
        HTTP_MAX_CONNECTIONS_PER_IP: 128,
        HTTP_TRUST_PROXY: false,
      },
    });
  });

  it.each([
    ['', false],
    ['false', false],
    ['true', true],
    ['1', 1],
    ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
  ])('reads HTTP_TRUST_PROXY=%j as %j', (value, trustProxy) => {
    expect(httpListenerOf(parseEnvironment('s', { HTTP_TRUST_PROXY: value }, { http: httpListenerSchema(1) }).http).limits.trustProxy).toEqual(trustProxy);
  });

  it.each(['-1', 'yes please', '10.0.0.0/99', '0'])('refuses HTTP_TRUST_PROXY=%j', (value) => {
    expect(() => parseEnvironment('s', { HTTP_TRUST_PROXY: value }, { http: httpListenerSchema(1) })).toThrow('HTTP_TRUST_PROXY');
  });

  it('names every bad key of every schema in one ConfigError', () => {
    let thrown: unknown;
    try {
      parseEnvironment('spec-service', { DATABASE_URL: 'http://db/x', POOL_SIZE: '0', MIGRATIONS_RUN: 'yes', PORT: '70000' }, { own, http: httpListenerSchema(3001) });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const { problems, message } = thrown as ConfigError;
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['DATABASE_URL', 'POOL_SIZE', 'MIGRATIONS_RUN', 'PORT']);
    expect(message.split('\n')[0]).toBe('Invalid spec-service configuration:');
    expect(message).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
    expect(message).toContain('MIGRATIONS_RUN: must be true, false, 1 or 0');
  });

  it('says a required key is missing', () => {
    expect(() => parseEnvironment('spec-service', {}, { own })).toThrow('DATABASE_URL: is required');
  });

  it('parses booleans as true/false/1/0 only', () => {
    const flag = z.object({ FLAG: booleanKey(false) });
    expect(['true', '1', 'false', '0', ''].map((FLAG) => parseEnvironment('s', { FLAG }, { flag }).flag.FLAG)).toEqual([true, true, false, false, false]);
  });
});

describe(httpListenerSchema.name, () => {
  it('refuses a headers timeout longer than the request timeout, naming the key', () => {
    expect(() => parseEnvironment('s', { HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' }, { http: httpListenerSchema(1) })).toThrow(
      'HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS',
    );
  });

  it('refuses timeouts under a second, and takes 0 connections per address as no cap', () => {
    expect(() => parseEnvironment('s', { HTTP_KEEP_ALIVE_TIMEOUT_MS: '0' }, { http: httpListenerSchema(1) })).toThrow('HTTP_KEEP_ALIVE_TIMEOUT_MS');
    expect(httpListenerOf(parseEnvironment('s', { HTTP_MAX_CONNECTIONS_PER_IP: '0' }, { http: httpListenerSchema(1) }).http).limits.maxConnectionsPerIp).toBe(0);
  });
});

describe(environmentKeysOf.name, () => {
  it('lists the keys of every schema', () => {
    expect(environmentKeysOf(z.object({ A: z.string(), B: z.string() }), httpListenerSchema(1))).toEqual([
      'A',
      'B',
      'HOST',
      'PORT',
      'HTTP_REQUEST_TIMEOUT_MS',
      'HTTP_HEADERS_TIMEOUT_MS',
      'HTTP_KEEP_ALIVE_TIMEOUT_MS',
      'HTTP_CONNECTION_TIMEOUT_MS',
      'HTTP_MAX_CONNECTIONS_PER_IP',
      'HTTP_TRUST_PROXY',
    ]);
  });
});
