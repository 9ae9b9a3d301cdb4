/**
 * The public status page under an outage's crowd: `summary.json` and the HTML page of a realistic page,
 * side by side in one run with a static file (a byte copy of the same `summary.json`) served by the same
 * Fastify of the same app (`@fastify/static`), loaded by autocannon (100 connections) from a worker
 * thread, alternating the three targets round by round. See bench/README.md ("Status page benchmark").
 *
 *   npm run bench:status-page                        builds, then ~1 min on 2 cores
 *   BENCH_SCALE=0.3 npx tsx bench/status-page.bench.ts   smoke run, after a build
 *
 * Fireline is loaded from the BUILT output (`dist/`): its decorators need `emitDecoratorMetadata`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import fastifyStatic from '@fastify/static';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { configureHttpApp as ConfigureHttpApp } from '../libs/http/src';
import type { PlatformModule as PlatformModuleClass } from '../apps/platform/src/platform.module';
import type { loadIncidentServiceConfig as LoadIncidentConfig } from '../apps/incident-service/src/config/incident-service.config';
import type { loadNotificationServiceConfig as LoadNotificationConfig } from '../apps/notification-service/src/config/notification-service.config';
import type { loadPostmortemServiceConfig as LoadPostmortemConfig } from '../apps/postmortem-service/src/config/postmortem-service.config';
import type { issueApiKey as IssueApiKey } from '../apps/incident-service/src/access/application/api-keys';
import type { EventStore } from '../libs/event-store/src';
import { startPostgres } from './embedded-postgres';
import { runGetLoad } from './http-get-load.worker';

const ROOT = resolve(__dirname, '..');
const DIST = join(ROOT, 'dist');
const HOST = '127.0.0.1';

const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);

function number(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
}

const scale = number('BENCH_SCALE', 1);
const config = {
  connections: number('BENCH_CONNECTIONS', 100),
  secondsPerRound: Math.max(1, Math.round(number('BENCH_ROUND_S', 5) * scale)),
  rounds: number('BENCH_ROUNDS', 3),
  warmupSeconds: number('BENCH_WARMUP_S', 2),
  cacheRevalidateMs: number('BENCH_CACHE_REVALIDATE_MS', 500),
  components: number('BENCH_COMPONENTS', 12),
};

function loadBuilt() {
  const appJs = join(DIST, 'apps/platform/src/platform.module.js');
  if (!existsSync(appJs)) throw new Error(`${appJs} is missing: build first (\`npx nest build platform\`)`);
  const load = createRequire(__filename);
  return {
    PlatformModule: (load(appJs) as { PlatformModule: typeof PlatformModuleClass }).PlatformModule,
    configureHttpApp: (load(join(DIST, 'libs/http/src/index.js')) as { configureHttpApp: typeof ConfigureHttpApp }).configureHttpApp,
    problemDetailsFrameworkErrors: (load(join(DIST, 'libs/http/src/index.js')) as { problemDetailsFrameworkErrors: unknown }).problemDetailsFrameworkErrors,
    loadIncidentServiceConfig: (load(join(DIST, 'apps/incident-service/src/config/incident-service.config.js')) as { loadIncidentServiceConfig: typeof LoadIncidentConfig }).loadIncidentServiceConfig,
    loadNotificationServiceConfig: (load(join(DIST, 'apps/notification-service/src/config/notification-service.config.js')) as { loadNotificationServiceConfig: typeof LoadNotificationConfig })
      .loadNotificationServiceConfig,
    loadPostmortemServiceConfig: (load(join(DIST, 'apps/postmortem-service/src/config/postmortem-service.config.js')) as { loadPostmortemServiceConfig: typeof LoadPostmortemConfig }).loadPostmortemServiceConfig,
    issueApiKey: (load(join(DIST, 'apps/incident-service/src/access/application/api-keys.js')) as { issueApiKey: typeof IssueApiKey }).issueApiKey,
    incidentEventStoreToken: (load(join(DIST, 'apps/incident-service/src/incident-service.tokens.js')) as { INCIDENT_EVENT_STORE: symbol }).INCIDENT_EVENT_STORE,
  };
}

/** The bench's API key (set once the app is up): the management calls that build the page need it; the measured public reads do not. */
let apiKey = '';

async function call(base: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path} -> ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** A page as an outage finds it: groups, components, an open incident with updates, an upcoming maintenance. */
async function buildPage(base: string): Promise<string> {
  const slug = 'bench-acme';
  const created = await call(base, 'POST', '/v1/status-pages', { slug, name: 'Acme Cloud', timeZone: 'Europe/Berlin', description: 'Status of Acme Cloud services' });
  const pageId = (created.page as { id: string }).id;
  const groups: string[] = [];
  for (const name of ['Compute', 'Storage']) {
    const page = (await call(base, 'POST', `/v1/status-pages/${pageId}/groups`, { name })).page as { groups: { id: string }[] };
    groups.push(page.groups.at(-1)!.id);
  }
  const components: string[] = [];
  for (let i = 0; i < config.components; i++) {
    const page = (await call(base, 'POST', `/v1/status-pages/${pageId}/components`, { name: `Service ${i + 1}`, description: `Region eu-${i}`, groupId: i < 8 ? groups[i % 2] : undefined }))
      .page as { components: { id: string }[] };
    components.push(page.components.at(-1)!.id);
  }
  const incident = await call(base, 'POST', '/v1/incidents', { title: 'Elevated error rates', severity: 'SEV1', services: ['api'] });
  await call(base, 'POST', `/v1/status-pages/${pageId}/incidents`, {
    incidentId: incident.id,
    name: 'Elevated error rates in eu-1',
    impacts: [{ componentId: components[0], status: 'major_outage' }, { componentId: components[1], status: 'partial_outage' }],
  });
  for (let i = 0; i < 5; i++) await call(base, 'POST', `/v1/incidents/${String(incident.id)}/updates`, { audience: 'external', message: `Update ${i + 1}: we are working on it. `.repeat(4) });
  const soon = Date.now() + 86_400_000;
  await call(base, 'POST', `/v1/status-pages/${pageId}/maintenances`, {
    name: 'Storage upgrade',
    message: 'We will upgrade the storage backend.',
    scheduledFor: new Date(soon).toISOString(),
    scheduledUntil: new Date(soon + 3_600_000).toISOString(),
    componentIds: [components[2]],
  });
  return slug;
}

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date();
  const built = loadBuilt();
  log(`config: ${JSON.stringify(config)}`);
  const postgres = await startPostgres();
  const staticDir = mkdtempSync(join(tmpdir(), 'fireline-bench-static-'));
  let app: NestFastifyApplication | undefined;
  try {
    const databases = { incident: 'fireline_incident', notification: 'fireline_notification', postmortem: 'fireline_postmortem' };
    for (const name of Object.values(databases)) await postgres.createDatabase(name);
    const env: NodeJS.ProcessEnv = {
      INCIDENT_DATABASE_URL: postgres.url(databases.incident),
      NOTIFICATION_DATABASE_URL: postgres.url(databases.notification),
      POSTMORTEM_DATABASE_URL: postgres.url(databases.postmortem),
      STATUS_PAGES_CACHE_REVALIDATE_MS: String(config.cacheRevalidateMs),
      // A throw-away key for the run's throw-away databases (the services refuse to start without one).
      FIRELINE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    const module: DynamicModule = built.PlatformModule.register({
      incident: built.loadIncidentServiceConfig(env),
      notification: built.loadNotificationServiceConfig(env),
      postmortem: built.loadPostmortemServiceConfig(env),
    });
    app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter({ frameworkErrors: built.problemDetailsFrameworkErrors as never }), { logger: ['error'] });
    built.configureHttpApp(app);
    await app.register(fastifyStatic as never, { root: staticDir, prefix: '/bench-static/' });
    await app.listen({ host: HOST, port: 0 });
    const base = `http://${HOST}:${(app.getHttpServer().address() as AddressInfo).port}`;
    // Issued through incident-service's command path, like bench:enqueue's: what building the page needs, for one day.
    apiKey = (
      await built.issueApiKey(
        app.get<EventStore>(built.incidentEventStoreToken),
        { name: 'bench', scopes: ['status-pages:write', 'incidents:write'] },
        null,
        { defaultLifetimeDays: 1, maxLifetimeDays: 1 },
        { now: new Date(), actor: 'system:bench', correlationId: 'bench' },
      )
    ).key;
    const slug = await buildPage(base);
    // Wait for the read model, then copy summary.json byte for byte as the static file.
    let summary = '';
    for (let i = 0; i < 200 && !summary.includes('incident_updates'); i++) {
      await new Promise((done) => setTimeout(done, 100));
      const response = await fetch(`${base}/status/${slug}/api/v2/summary.json`);
      summary = response.status === 200 ? await response.text() : '';
      if (!summary.includes('"Update 5')) summary = '';
    }
    if (!summary) throw new Error('the read model never showed the page with its five updates');
    const html = await (await fetch(`${base}/status/${slug}`)).text();
    writeFileSync(join(staticDir, 'summary.json'), summary);
    writeFileSync(join(staticDir, 'page.html'), html);
    // Each dynamic target is compared with a static file of the same bytes served by the same app.
    const targets = [
      { name: 'static-summary', label: 'static copy of summary.json', url: `${base}/bench-static/summary.json`, bytes: Buffer.byteLength(summary), twin: 'static-summary' },
      { name: 'summary', label: 'GET /status/{slug}/api/v2/summary.json', url: `${base}/status/${slug}/api/v2/summary.json`, bytes: Buffer.byteLength(summary), twin: 'static-summary' },
      { name: 'static-html', label: 'static copy of the HTML page', url: `${base}/bench-static/page.html`, bytes: Buffer.byteLength(html), twin: 'static-html' },
      { name: 'html', label: 'GET /status/{slug} (HTML)', url: `${base}/status/${slug}`, bytes: Buffer.byteLength(html), twin: 'static-html' },
    ];
    const only = process.env.BENCH_TARGETS?.split(',');
    if (only) targets.splice(0, targets.length, ...targets.filter((t) => only.includes(t.name)));
    for (const target of targets) {
      log(`warm-up ${target.name}`);
      await runGetLoad({ url: target.url, durationSeconds: config.warmupSeconds, connections: config.connections });
    }
    const totals = new Map<string, { requests: number; seconds: number; non2xx: number; errors: number; p50: number[]; p99: number[] }>();
    for (let round = 0; round < config.rounds; round++) {
      // Rotate the order each round so that no target always runs first (or right after another).
      const order = targets.map((_, i) => targets[(i + round) % targets.length]);
      for (const target of order) {
        const result = await runGetLoad({ url: target.url, durationSeconds: config.secondsPerRound, connections: config.connections });
        const total = totals.get(target.name) ?? { requests: 0, seconds: 0, non2xx: 0, errors: 0, p50: [], p99: [] };
        total.requests += result.requests.total;
        total.seconds += result.duration;
        total.non2xx += result.non2xx;
        total.errors += result.errors + result.timeouts;
        total.p50.push(result.latency.p50);
        total.p99.push(result.latency.p99);
        totals.set(target.name, total);
        log(`round ${round + 1} ${target.name}: ${Math.round(result.requests.total / result.duration)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const results = targets.map((target) => {
      const t = totals.get(target.name)!;
      return { ...target, requestsPerSecond: Math.round(t.requests / t.seconds), p50Ms: median(t.p50), p99Ms: median(t.p99), non2xx: t.non2xx, errors: t.errors };
    });
    const rateOf = (name: string) => results.find((r) => r.name === name)?.requestsPerSecond;
    const ratios = Object.fromEntries(results.map((r) => [r.name, rateOf(r.twin) ? Math.round((r.requestsPerSecond / rateOf(r.twin)!) * 100) / 100 : null]));
    const rows = results.map((r) => [r.label, `${r.bytes}`, `${r.requestsPerSecond}`, `${r.p50Ms}`, `${r.p99Ms}`, ratios[r.name] === null ? '-' : `${ratios[r.name]!.toFixed(2)}x`, `${r.non2xx + r.errors}`]);
    const header = ['target', 'bytes', 'req/s', 'p50 ms', 'p99 ms', 'vs its static twin', 'non-2xx/errors'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (row: string[]) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
    const table = [
      line(header),
      `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
      ...rows.map(line),
      '',
      `${config.connections} connections, ${config.rounds} rounds x ${config.secondsPerRound} s per target (order rotated), warm-up ${config.warmupSeconds} s each; ` +
        `cache revalidation every ${config.cacheRevalidateMs} ms; Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'})`,
    ].join('\n');
    process.stdout.write(`\n${table}\n`);
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `status-page-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify({ startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - started), config, ratios, results }, null, 2)}\n`);
    process.stdout.write(`\nResults: ${file}\n`);
    const failed = results.filter((r) => r.non2xx + r.errors > 0);
    if (failed.length > 0) throw new Error(`non-2xx answers or errors: ${failed.map((r) => r.name).join(', ')}`);
  } finally {
    await app?.close().catch((error: unknown) => log(`closing the app: ${String(error)}`));
    await postgres.stop();
    rmSync(staticDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
