import { loadNotificationServiceConfig, loadNotificationServiceStandaloneConfig } from './notification-service.config';

const minimal = { NOTIFICATION_DATABASE_URL: 'postgres://u:p@db:5432/notification' };

describe('loadNotificationServiceConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadNotificationServiceConfig(minimal)).toEqual({
      database: { url: minimal.NOTIFICATION_DATABASE_URL, poolSize: 10, migrationsRun: true, timeouts: { connectTimeoutMs: 5_000, statementTimeoutMs: 60_000 } },
      delivery: { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 300_000, timeoutMs: 5_000, pollIntervalMs: 250, concurrency: 4 },
    });
  });

  it('reads every variable', () => {
    const config = loadNotificationServiceConfig({
      ...minimal,
      NOTIFICATION_DATABASE_POOL_SIZE: '20',
      DATABASE_MIGRATIONS_RUN: 'false',
      DATABASE_CONNECT_TIMEOUT_MS: '2000',
      DATABASE_STATEMENT_TIMEOUT_MS: '0',
      NOTIFICATION_DELIVERY_MAX_ATTEMPTS: '3',
      NOTIFICATION_DELIVERY_BASE_DELAY_MS: '10',
      NOTIFICATION_DELIVERY_MAX_DELAY_MS: '100',
      NOTIFICATION_DELIVERY_TIMEOUT_MS: '2000',
      NOTIFICATION_DELIVERY_POLL_INTERVAL_MS: '50',
      NOTIFICATION_DELIVERY_CONCURRENCY: '8',
      NOTIFICATION_DELIVERY_LEASE_MS: '9000',
    });
    expect(config).toEqual({
      database: { url: minimal.NOTIFICATION_DATABASE_URL, poolSize: 20, migrationsRun: false, timeouts: { connectTimeoutMs: 2_000, statementTimeoutMs: 0 } },
      delivery: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, timeoutMs: 2_000, pollIntervalMs: 50, concurrency: 8, leaseMs: 9_000 },
    });
  });

  it('names every bad key at once', () => {
    const load = () =>
      loadNotificationServiceConfig({
        NOTIFICATION_DATABASE_URL: 'mysql://x',
        NOTIFICATION_DELIVERY_MAX_ATTEMPTS: 'many',
        DATABASE_MIGRATIONS_RUN: 'yes',
        NOTIFICATION_DELIVERY_CONCURRENCY: '0',
      });
    expect(load).toThrow(/NOTIFICATION_DATABASE_URL/);
    expect(load).toThrow(/NOTIFICATION_DELIVERY_MAX_ATTEMPTS/);
    expect(load).toThrow(/DATABASE_MIGRATIONS_RUN/);
    expect(load).toThrow(/NOTIFICATION_DELIVERY_CONCURRENCY/);
  });

  it('requires the database URL', () => {
    expect(() => loadNotificationServiceConfig({})).toThrow(/NOTIFICATION_DATABASE_URL/);
  });

  it('rejects a delivery lease that a live send could outlast', () => {
    expect(() => loadNotificationServiceConfig({ ...minimal, NOTIFICATION_DELIVERY_TIMEOUT_MS: '5000', NOTIFICATION_DELIVERY_LEASE_MS: '5000' })).toThrow(
      'NOTIFICATION_DELIVERY_LEASE_MS: must be greater than NOTIFICATION_DELIVERY_TIMEOUT_MS',
    );
  });

  it('rejects a max delay below the base delay', () => {
    expect(() => loadNotificationServiceConfig({ ...minimal, NOTIFICATION_DELIVERY_BASE_DELAY_MS: '500', NOTIFICATION_DELIVERY_MAX_DELAY_MS: '100' })).toThrow(
      /NOTIFICATION_DELIVERY_MAX_DELAY_MS/,
    );
  });
});

describe('loadNotificationServiceStandaloneConfig', () => {
  it('adds host and port', () => {
    expect(loadNotificationServiceStandaloneConfig({ ...minimal, PORT: '8080' }).http).toEqual({ host: '0.0.0.0', port: 8080 });
  });

  it('names bad keys of both sets', () => {
    const load = () => loadNotificationServiceStandaloneConfig({ PORT: '99999' });
    expect(load).toThrow(/NOTIFICATION_DATABASE_URL/);
    expect(load).toThrow(/PORT/);
  });
});
