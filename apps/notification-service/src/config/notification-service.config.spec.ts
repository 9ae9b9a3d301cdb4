import { DEFAULT_HTTP_SERVER_LIMITS } from '@fireline/config';
import { DEFAULT_RETRY_POLICY } from '../notifications/domain/retry-policy';
import { DEFAULT_OUTBOUND_POLICY } from '../outbound/domain/outbound-destination.policy';
import { loadNotificationServiceConfig, loadNotificationServiceDatabaseUrl, loadNotificationServiceStandaloneConfig, NOTIFICATION_SERVICE_ENV_KEYS } from './notification-service.config';
import { DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG } from './status-page-notifications.config';

const KEY = Buffer.alloc(32, 7).toString('base64');
const minimal = { NOTIFICATION_DATABASE_URL: 'postgres://u:p@db:5432/notification', FIRELINE_ENCRYPTION_KEY: KEY };
const encryption = { current: { id: 'k1', key: Buffer.alloc(32, 7) }, previous: [] };

describe('loadNotificationServiceConfig', () => {
  it('applies the documented defaults: retry for 24 h, backoff from 1 s to 1 h, no attempt cap', () => {
    expect(loadNotificationServiceConfig(minimal)).toEqual({
      database: { url: minimal.NOTIFICATION_DATABASE_URL, poolSize: 10, migrationsRun: true, timeouts: { connectTimeoutMs: 5_000, statementTimeoutMs: 60_000 } },
      outbound: DEFAULT_OUTBOUND_POLICY,
      encryption,
      delivery: {
        retryWindowMs: 86_400_000,
        maxAttempts: null,
        baseDelayMs: 1_000,
        maxDelayMs: 3_600_000,
        timeoutMs: 5_000,
        pollIntervalMs: 250,
        concurrency: 4,
        circuitBreaker: { failureThreshold: 5, halfOpenAfterMs: 30_000 },
      },
      statusPages: DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG,
      smtp: null,
    });
  });

  it('defaults to the domain’s retry policy', () => {
    const { retryWindowMs, maxAttempts, baseDelayMs, maxDelayMs } = loadNotificationServiceConfig(minimal).delivery;
    expect({ retryWindowMs, maxAttempts, baseDelayMs, maxDelayMs }).toEqual(DEFAULT_RETRY_POLICY);
  });

  it('reads a blank NOTIFICATION_DELIVERY_MAX_ATTEMPTS as no cap, as compose files leave it', () => {
    expect(loadNotificationServiceConfig({ ...minimal, NOTIFICATION_DELIVERY_MAX_ATTEMPTS: '' }).delivery.maxAttempts).toBeNull();
  });

  it('reads every variable', () => {
    const config = loadNotificationServiceConfig({
      ...minimal,
      NOTIFICATION_DATABASE_POOL_SIZE: '20',
      DATABASE_MIGRATIONS_RUN: 'false',
      DATABASE_CONNECT_TIMEOUT_MS: '2000',
      DATABASE_STATEMENT_TIMEOUT_MS: '0',
      NOTIFICATION_DELIVERY_RETRY_WINDOW_MS: '60000',
      NOTIFICATION_DELIVERY_MAX_ATTEMPTS: '3',
      NOTIFICATION_DELIVERY_BASE_DELAY_MS: '10',
      NOTIFICATION_DELIVERY_MAX_DELAY_MS: '100',
      NOTIFICATION_DELIVERY_TIMEOUT_MS: '2000',
      NOTIFICATION_DELIVERY_POLL_INTERVAL_MS: '50',
      NOTIFICATION_DELIVERY_CONCURRENCY: '8',
      NOTIFICATION_DELIVERY_LEASE_MS: '9000',
      NOTIFICATION_DELIVERY_BREAKER_FAILURES: '2',
      NOTIFICATION_DELIVERY_BREAKER_HALF_OPEN_MS: '500',
      OUTBOUND_ALLOWED_HOSTS: '127.0.0.1, hooks.internal',
      OUTBOUND_ALLOW_HTTP: 'true',
      FIRELINE_ENCRYPTION_KEY_ID: '2025-03',
    });
    expect(config).toEqual({
      database: { url: minimal.NOTIFICATION_DATABASE_URL, poolSize: 20, migrationsRun: false, timeouts: { connectTimeoutMs: 2_000, statementTimeoutMs: 0 } },
      outbound: { allowHttp: true, allowedHostNames: ['hooks.internal'], allowedNetworks: [{ cidr: '127.0.0.1/32', range: expect.any(Array) }] },
      encryption: { ...encryption, current: { ...encryption.current, id: '2025-03' } },
      delivery: {
        retryWindowMs: 60_000,
        maxAttempts: 3,
        baseDelayMs: 10,
        maxDelayMs: 100,
        timeoutMs: 2_000,
        pollIntervalMs: 50,
        concurrency: 8,
        leaseMs: 9_000,
        circuitBreaker: { failureThreshold: 2, halfOpenAfterMs: 500 },
      },
      statusPages: DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG,
      smtp: null,
    });
  });

  it('reads the status-page subscriber and Statuspage keys', () => {
    const config = loadNotificationServiceConfig({
      ...minimal,
      STATUS_PAGES_PUBLIC_URL: 'https://status.example.com/',
      STATUS_PAGE_SUBSCRIBE_MAX_PER_IP: '5',
      STATUS_PAGE_SUBSCRIBE_MAX_PER_ADDRESS: '2',
      STATUS_PAGE_PENDING_SUBSCRIPTIONS_MAX: '50',
      STATUS_PAGE_CONFIRMATION_TTL_MS: '3600000',
      STATUS_PAGE_SUBSCRIBER_QUARANTINE_AFTER: '5',
      STATUSPAGE_API_URL: 'http://127.0.0.1:9999/v1/',
      STATUSPAGE_MIN_REQUEST_INTERVAL_MS: '1500',
    });
    expect(config.statusPages).toEqual({
      publicBaseUrl: 'https://status.example.com',
      subscribe: { maxPerIpPerHour: 5, maxPerAddressPerHour: 2, maxPendingPerPage: 50, confirmationTtlMs: 3_600_000 },
      quarantineAfterDeadLetters: 5,
      statuspage: { apiUrl: 'http://127.0.0.1:9999/v1', minRequestIntervalMs: 1_500 },
    });
    for (const key of ['STATUS_PAGES_PUBLIC_URL', 'STATUSPAGE_API_URL', 'SMTP_URL', 'SMTP_HOST', 'SMTP_FROM', 'SMTP_REQUIRE_TLS', 'SMTP_TIMEOUT_MS']) {
      expect(NOTIFICATION_SERVICE_ENV_KEYS).toContain(key);
    }
  });

  it('reads SMTP from SMTP_URL, credentials and implicit TLS included, with safe TLS defaults', () => {
    expect(loadNotificationServiceConfig({ ...minimal, SMTP_URL: 'smtps://mailer%40acme:p%3Ass@smtp.example.com', SMTP_FROM: 'Status <status@example.com>' }).smtp).toEqual({
      host: 'smtp.example.com',
      port: 465,
      secure: true,
      auth: { user: 'mailer@acme', pass: 'p:ss' },
      from: 'Status <status@example.com>',
      requireTls: true,
      tlsRejectUnauthorized: true,
      timeoutMs: 10_000,
    });
  });

  it('reads SMTP from SMTP_HOST and its companions; STARTTLS on 587 by default', () => {
    expect(
      loadNotificationServiceConfig({ ...minimal, SMTP_HOST: '127.0.0.1', SMTP_PORT: '2525', SMTP_FROM: 'status@example.com', SMTP_REQUIRE_TLS: 'false', SMTP_TIMEOUT_MS: '2000' }).smtp,
    ).toEqual({ host: '127.0.0.1', port: 2525, secure: false, auth: null, from: 'status@example.com', requireTls: false, tlsRejectUnauthorized: true, timeoutMs: 2_000 });
    expect(loadNotificationServiceConfig({ ...minimal, SMTP_HOST: 'smtp.example.com', SMTP_FROM: 'a@example.com' }).smtp).toMatchObject({ port: 587, secure: false, requireTls: true });
  });

  it('refuses half an SMTP configuration, naming the key', () => {
    expect(() => loadNotificationServiceConfig({ ...minimal, SMTP_HOST: 'smtp.example.com' })).toThrow(/SMTP_FROM: is required when SMTP_URL or SMTP_HOST is set/);
    expect(() => loadNotificationServiceConfig({ ...minimal, SMTP_FROM: 'a@example.com' })).toThrow(/SMTP_HOST: SMTP_\* keys are set but neither/);
    expect(() => loadNotificationServiceConfig({ ...minimal, SMTP_URL: 'http://smtp.example.com', SMTP_FROM: 'a@example.com' })).toThrow(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(() => loadNotificationServiceConfig({ ...minimal, SMTP_URL: 'smtp://a', SMTP_HOST: 'b', SMTP_FROM: 'a@example.com' })).toThrow(/SMTP_HOST: set SMTP_URL or SMTP_HOST, not both/);
    expect(() => loadNotificationServiceConfig({ ...minimal, SMTP_HOST: 'b', SMTP_USER: 'u', SMTP_FROM: 'a@example.com' })).toThrow(/SMTP_PASSWORD: SMTP_USER and SMTP_PASSWORD go together/);
  });

  it('names every bad key at once', () => {
    const load = () =>
      loadNotificationServiceConfig({
        NOTIFICATION_DATABASE_URL: 'mysql://x',
        NOTIFICATION_DELIVERY_MAX_ATTEMPTS: 'many',
        DATABASE_MIGRATIONS_RUN: 'yes',
        NOTIFICATION_DELIVERY_CONCURRENCY: '0',
        NOTIFICATION_DELIVERY_RETRY_WINDOW_MS: '0',
        NOTIFICATION_DELIVERY_BREAKER_FAILURES: 'some',
      });
    expect(load).toThrow(/NOTIFICATION_DATABASE_URL/);
    expect(load).toThrow(/NOTIFICATION_DELIVERY_MAX_ATTEMPTS/);
    expect(load).toThrow(/DATABASE_MIGRATIONS_RUN/);
    expect(load).toThrow(/NOTIFICATION_DELIVERY_CONCURRENCY/);
    expect(load).toThrow(/NOTIFICATION_DELIVERY_RETRY_WINDOW_MS/);
    expect(load).toThrow(/NOTIFICATION_DELIVERY_BREAKER_FAILURES/);
  });

  it('requires the database URL', () => {
    expect(() => loadNotificationServiceConfig({})).toThrow(/NOTIFICATION_DATABASE_URL/);
  });

  it('refuses to start without an encryption key (webhook secrets and URLs are stored encrypted)', () => {
    expect(() => loadNotificationServiceConfig({ NOTIFICATION_DATABASE_URL: minimal.NOTIFICATION_DATABASE_URL })).toThrow(/FIRELINE_ENCRYPTION_KEY: is required/);
  });

  it('lets migrations run without a key: they read the database URL only', () => {
    expect(loadNotificationServiceDatabaseUrl({ NOTIFICATION_DATABASE_URL: minimal.NOTIFICATION_DATABASE_URL })).toBe(minimal.NOTIFICATION_DATABASE_URL);
  });

  it('rejects an allow-list entry that is no host, address or range', () => {
    expect(() => loadNotificationServiceConfig({ ...minimal, OUTBOUND_ALLOWED_HOSTS: '127.0.0.1,http://x/' })).toThrow(
      'OUTBOUND_ALLOWED_HOSTS: not a host name, IP address or CIDR range: http://x/',
    );
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
  it('adds host, port and the HTTP server limits', () => {
    expect(loadNotificationServiceStandaloneConfig({ ...minimal, PORT: '8080', HTTP_MAX_CONNECTIONS_PER_IP: '500' }).http).toEqual({
      host: '0.0.0.0',
      port: 8080,
      limits: { ...DEFAULT_HTTP_SERVER_LIMITS, maxConnectionsPerIp: 500 },
    });
  });

  it('names bad keys of both sets', () => {
    const load = () => loadNotificationServiceStandaloneConfig({ PORT: '99999' });
    expect(load).toThrow(/NOTIFICATION_DATABASE_URL/);
    expect(load).toThrow(/PORT/);
    expect(load).toThrow(/FIRELINE_ENCRYPTION_KEY/);
  });
});
