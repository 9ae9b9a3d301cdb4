import { loadPostmortemServiceConfig } from './postmortem-service.config';

describe(loadPostmortemServiceConfig.name, () => {
  it('applies defaults for optional keys', () => {
    expect(loadPostmortemServiceConfig({ POSTMORTEM_DATABASE_URL: 'postgres://u:p@db:5432/postmortems' })).toEqual({
      database: { url: 'postgres://u:p@db:5432/postmortems', poolSize: 10, migrationsRun: true, timeouts: { connectTimeoutMs: 5_000, statementTimeoutMs: 60_000 } },
      postmortemDueHours: 48,
      projections: { pollIntervalMs: 100, lingerMs: 100 },
    });
  });

  it('parses every key', () => {
    expect(
      loadPostmortemServiceConfig({
        POSTMORTEM_DATABASE_URL: 'postgresql://db/pm',
        POSTMORTEM_DATABASE_POOL_SIZE: '4',
        DATABASE_MIGRATIONS_RUN: 'false',
        DATABASE_CONNECT_TIMEOUT_MS: '1500',
        DATABASE_STATEMENT_TIMEOUT_MS: '30000',
        POSTMORTEM_DUE_HOURS: '72',
        PROJECTION_POLL_INTERVAL_MS: '20',
        PROJECTION_LINGER_MS: '0',
      }),
    ).toEqual({
      database: { url: 'postgresql://db/pm', poolSize: 4, migrationsRun: false, timeouts: { connectTimeoutMs: 1_500, statementTimeoutMs: 30_000 } },
      postmortemDueHours: 72,
      projections: { pollIntervalMs: 20, lingerMs: 0 },
    });
  });

  it('rejects bad values naming every bad key', () => {
    let message = '';
    try {
      loadPostmortemServiceConfig({ POSTMORTEM_DATABASE_POOL_SIZE: 'ten', DATABASE_MIGRATIONS_RUN: 'yes', POSTMORTEM_DUE_HOURS: '0', PROJECTION_POLL_INTERVAL_MS: '-5', PROJECTION_LINGER_MS: '-1' });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const key of ['POSTMORTEM_DATABASE_URL', 'POSTMORTEM_DATABASE_POOL_SIZE', 'DATABASE_MIGRATIONS_RUN', 'POSTMORTEM_DUE_HOURS', 'PROJECTION_POLL_INTERVAL_MS', 'PROJECTION_LINGER_MS']) {
      expect(message).toContain(key);
    }
  });
});
