import { Public } from '@fireline/auth';
import { Controller, HttpCode, Module, Post, UseInterceptors } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import request from 'supertest';
import { createServiceTestApp } from '../../../test/support/nest-test-app';
import { TcpSwitch } from '../../../test/support/tcp-switch';
import { createTestDatabase, servicePool, type TestDatabase } from '../../../test/support/test-database';
import { CreateIdempotencyKeys1732000000200 } from './idempotency-keys.migration';
import { IdempotencyInterceptorFor } from './idempotency.interceptor';

const POOL = Symbol('IDEMPOTENCY_TEST_POOL');

/** What the handler does on its next call (set by the test). */
let nextCall: () => Promise<unknown> = async () => ({ ok: true });
let calls = 0;

@Controller('things')
@UseInterceptors(IdempotencyInterceptorFor(POOL))
class ThingsController {
  @Post()
  @Public('test fixture: only the interceptor is under test')
  @HttpCode(201)
  create(): Promise<unknown> {
    calls += 1;
    return nextCall();
  }
}

describe(IdempotencyInterceptorFor.name, () => {
  let db: TestDatabase;
  let tcpSwitch: TcpSwitch;
  let pool: Pool;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    db = await createTestDatabase('idempotency_outage');
    await new CreateIdempotencyKeys1732000000200().up({ query: (sql: string) => db.pool.query(sql) } as never);
    tcpSwitch = await TcpSwitch.start('127.0.0.1', Number(new URL(db.url).port));
    pool = servicePool(tcpSwitch.route(db.url), { max: 2 });
    @Module({ controllers: [ThingsController], providers: [{ provide: POOL, useValue: pool }] })
    class ThingsModule {}
    app = await createServiceTestApp({ module: ThingsModule });
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await tcpSwitch?.close();
    await db?.drop();
  });

  it('frees the key of a request that failed while the database went away, so that the retry after the outage runs', async () => {
    const key = `key-${Date.now()}`;
    nextCall = async () => {
      await tcpSwitch.cut();
      return pool.query('SELECT 1'); // the effect meets the outage
    };
    const first = await request(app.getHttpServer()).post('/things').set('idempotency-key', key).send({ n: 1 });
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ code: 'DEPENDENCY.DATABASE_UNAVAILABLE' });
    expect((await db.pool.query('SELECT state FROM idempotency_keys WHERE key = $1', [key])).rows).toEqual([{ state: 'in_progress' }]);

    await tcpSwitch.restore();
    nextCall = async () => ({ created: true });
    const callsBefore = calls;
    const retry = await request(app.getHttpServer()).post('/things').set('idempotency-key', key).send({ n: 1 });

    expect(retry.status).toBe(201);
    expect(retry.body).toEqual({ created: true });
    expect(calls).toBe(callsBefore + 1);
    expect((await db.pool.query('SELECT state FROM idempotency_keys WHERE key = $1', [key])).rows).toEqual([{ state: 'completed' }]);
  });
});
