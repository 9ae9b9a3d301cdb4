import { runMigrations } from '@fireline/event-store';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { INCIDENT_SERVICE_MIGRATIONS } from '../../incident-service.module';
import { runApiKeysCli } from './api-keys.cli';

describe(runApiKeysCli.name, () => {
  let db: TestDatabase;
  let bare: TestDatabase;

  beforeAll(async () => {
    [db, bare] = await Promise.all([createTestDatabase('keys_cli'), createTestDatabase('keys_cli_bare')]);
    await runMigrations(db.url, INCIDENT_SERVICE_MIGRATIONS);
  });
  afterAll(async () => {
    await Promise.all([db?.drop(), bare?.drop()]);
  });

  async function cli(args: string[], url = db.url): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runApiKeysCli(args, { INCIDENT_DATABASE_URL: url }, { out: (line) => out.push(line), err: (line) => err.push(line) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('creates a key through the command path, shows it once, lists it, and revokes it', async () => {
    const created = await cli(['create', '--name', 'ci', '--role', 'responder', '--scopes', 'audit:read', '--expires-in', '30d']);
    expect(created).toMatchObject({ code: 0, err: '' });
    const key = created.out.split('\n').at(-1)!;
    expect(key).toMatch(/^flk_[0-9A-Za-z]{56}$/);
    const keyId = key.slice(4, 16);
    const { rows } = await db.pool.query<{ event_type: string; actor: string; data: { scopes: string[]; expiresAt: string } }>(
      `SELECT event_type, metadata->>'actor' AS actor, data FROM events WHERE stream_id = $1`,
      [`api-key-${keyId}`],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event_type: 'ApiKeyIssued', actor: 'system:keys-cli' });
    expect(rows[0]!.data.scopes).toEqual(['incidents:read', 'incidents:write', 'postmortems:read', 'postmortems:write', 'notifications:read', 'status-pages:read', 'status-pages:write', 'audit:read']);
    expect(Math.round((new Date(rows[0]!.data.expiresAt).getTime() - Date.now()) / 86_400_000)).toBe(30);
    expect(JSON.stringify(rows)).not.toContain(key);

    expect((await cli(['list'])).out).toMatch(new RegExp(`^${keyId}  active `, 'm'));
    const revoked = await cli(['revoke', keyId, '--reason', 'rotated']);
    expect(revoked).toMatchObject({ code: 0 });
    expect((await cli(['list'])).out).not.toContain(keyId);
    expect((await cli(['list', '--all'])).out).toMatch(new RegExp(`^${keyId}  revoked `, 'm'));
    expect((await cli(['revoke', keyId])).code).toBe(0);
  });

  it.each([
    [['create'], /create needs --name/],
    [['create', '--name', 'x', '--scopes', 'root'], /unknown scope: root/],
    [['create', '--name', 'x', '--role', 'god'], /unknown role: god/],
    [['create', '--name', 'x', '--role', 'viewer', '--expires-in', 'forever'], /--expires-in must look like 30d/],
    [['create', '--name', 'x', '--bogus'], /Unknown option/],
    [['frobnicate'], /unknown command frobnicate/],
    [['revoke'], /revoke needs the key id/],
  ])('refuses %j with the usage and exit code 2', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.err).toContain('Usage: npm run keys');
  });

  it('refuses a key that never expires in practice (beyond the cap) and one without scopes', async () => {
    const beyond = await cli(['create', '--name', 'x', '--role', 'viewer', '--expires-in', '400d']);
    expect(beyond).toMatchObject({ code: 1 });
    expect(beyond.err).toMatch(/API_KEY\.INVALID.*expiresAt.*at most 365 days/);
    expect((await cli(['create', '--name', 'x'])).err).toMatch(/API_KEY\.INVALID.*scopes/);
    expect((await cli(['revoke', 'AAAAAAAAAAAA'])).err).toMatch(/API_KEY\.NOT_FOUND/);
  });

  it('says what to do when the database cannot be reached, or has not been migrated', async () => {
    const away = await cli(['list'], 'postgres://postgres:secret-pw@127.0.0.1:1/fireline_incident');
    expect(away.code).toBe(1);
    expect(away.err).toContain('Start the platform first (npm start), or point INCIDENT_DATABASE_URL');
    expect(away.err).not.toContain('secret-pw');
    const unmigrated = await cli(['list'], bare.url);
    expect(unmigrated.code).toBe(1);
    expect(unmigrated.err).toContain('has no event store yet');
  });
});
