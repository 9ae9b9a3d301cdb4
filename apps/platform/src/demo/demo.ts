/**
 * `npm run demo`: drives a running Fireline (FIRELINE_URL, default http://localhost:3000) through a
 * realistic SEV1 — a PostgreSQL primary whose disk filled — and prints the incident, its timeline, the
 * notification deliveries and the postmortem drafted from the timeline (`DEMO_JSON=true` adds raw JSON).
 *
 * It registers two notification rules pointing at receivers it runs itself on 127.0.0.1: a signed
 * webhook receiver and a stand-in for a Slack incoming webhook (we cannot post to Slack from here).
 * Fireline refuses plain-http and loopback targets by default, so start it for the demo with
 * `OUTBOUND_ALLOWED_HOSTS=127.0.0.1 OUTBOUND_ALLOW_HTTP=true npm start`; the demo says so if it is not.
 *
 * Then a second, alert-driven part: it creates an `events-v2` integration and replays what Prometheus
 * Alertmanager 0.25 really sent to a PagerDuty Events API v2 endpoint (test/fixtures/alertmanager-0.25,
 * with the new integration's routing key) to `POST /v2/enqueue`: the trigger opens an incident by
 * itself, a re-send is deduplicated, the resolve resolves it, the postmortem is drafted, and the
 * integration's intake ledger shows every delivery.
 *
 * And a third part, the same story through Alertmanager's own webhook receiver: an `alertmanager`
 * integration gets the captured `webhook_configs` deliveries (payload version 4, with the integration's
 * bearer token) on `POST /v1/integrations/{id}/alertmanager`: the firing group opens an incident and
 * notifications go out, a re-post of the group is deduplicated, the resolved group resolves it and the
 * postmortem is drafted.
 *
 * And a status-page part: a public page with components, an incident published on it with its impact,
 * an external update, a scheduled maintenance, the resolution restoring the component, and the page's
 * URLs (HTML, `?at=` during the outage, Statuspage-compatible JSON, feeds).
 *
 * Authentication: the admin key from FIRELINE_API_KEY, else the one `npm start` saved at first start in
 * `<FIRELINE_DATA_DIR>/../admin-api-key` (`.fireline/admin-api-key`). The demo issues each person it
 * plays (dana, sam, lee) a responder key for one day, acts with it, and revokes it at the end; the
 * timelines record `key:<id>`, printed here with the key's name.
 *
 * Every run cleans up after itself, also when it fails or is interrupted (Ctrl-C): its notification
 * rules are deleted and its keys revoked, and it waits only for the deliveries of its own rules. (A rule
 * left behind by an interrupted run pointed at a receiver that no longer listens; its deliveries kept
 * retrying, and the next run timed out waiting for every delivery of its incident to settle.)
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';

const BASE = (process.env.FIRELINE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const ADMIN_KEY_FILE = join(dirname(resolve(process.env.FIRELINE_DATA_DIR ?? '.fireline/postgres')), 'admin-api-key');

/** The admin key: FIRELINE_API_KEY, else the file first start wrote. */
function adminKey(): string {
  const fromEnv = process.env.FIRELINE_API_KEY?.trim();
  if (fromEnv) return fromEnv;
  try {
    return readFileSync(ADMIN_KEY_FILE, 'utf8').trim();
  } catch {
    throw new Error(
      `No API key: set FIRELINE_API_KEY, or start the platform with npm start (its first start on an empty data directory writes an admin key to ${ADMIN_KEY_FILE}).`,
    );
  }
}

/** The key each actor acts with (the admin key for 'ops-admin' and 'demo'), and the name of each key's actor. */
const keyOf = new Map<string, string>();
const nameOfActor = new Map<string, string>();
const issuedKeyIds: string[] = [];
/** Notification rules this run created and has not deleted yet. */
const createdRuleIds = new Set<string>();
const who = (actor: string | null) => (actor === null ? '–' : (nameOfActor.get(actor) ?? actor));
const correlationId = randomUUID();

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function startReceiver(name: string, received: Received[]): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '/', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/${name}`, server };
}

async function credentialOf(actor: string): Promise<string> {
  const known = keyOf.get(actor);
  if (known) return known;
  const admin = adminKey();
  if (actor === 'ops-admin' || actor === 'demo') {
    keyOf.set(actor, admin);
    return admin;
  }
  const response = await fetch(`${BASE}/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: actor, role: 'responder', expiresAt: new Date(Date.now() + 86_400_000).toISOString() }),
  });
  const created = (await response.json()) as { id: string; key: string; detail?: string };
  if (response.status !== 201) throw new Error(`POST /v1/api-keys for ${actor} -> ${response.status}: ${created.detail ?? ''}`);
  keyOf.set(actor, created.key);
  nameOfActor.set(`key:${created.id}`, actor);
  issuedKeyIds.push(created.id);
  // Issued while the run was being cleaned up (a request in flight at Ctrl-C): revoke it too.
  if (cleaning) await cleaning.then(() => call('POST', `/v1/api-keys/${created.id}/revoke`, 'ops-admin', { reason: 'npm run demo finished' })).catch(() => undefined);
  return created.key;
}

async function call<T = Record<string, unknown>>(method: string, path: string, actor: string, body?: unknown): Promise<T> {
  const credential = await credentialOf(actor);
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${credential}`,
      'x-correlation-id': correlationId,
      ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': randomUUID() }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status === 400 && text.includes('NOTIFICATION_RULE.TARGET_NOT_ALLOWED')) {
    throw new Error(
      `${method} ${path} -> 400 NOTIFICATION_RULE.TARGET_NOT_ALLOWED: the demo's receivers listen on http://127.0.0.1, which Fireline ` +
        'refuses by default (https to public addresses only). Restart it with: OUTBOUND_ALLOWED_HOSTS=127.0.0.1 OUTBOUND_ALLOW_HTTP=true npm start',
    );
  }
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Every item of a list, following `nextCursor` page by page (every list pages: at most 100 items each). */
async function everyPage<T>(path: string, actor: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page: { items: T[]; nextCursor: string | null } = await call('GET', `${path}${separator}limit=100${cursor ? `&cursor=${cursor}` : ''}`, actor);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Creates a notification rule and remembers it, so that the run deletes it whatever happens. */
async function createRule(body: Record<string, unknown>): Promise<{ id: string }> {
  const rule = await call<{ id: string }>('POST', '/v1/notification-rules', 'ops-admin', body);
  createdRuleIds.add(rule.id);
  // Created while the run was being cleaned up (a request in flight at Ctrl-C): delete it too.
  if (cleaning) await cleaning.then(() => deleteRule(rule.id)).catch(() => undefined);
  return rule;
}

async function deleteRule(id: string): Promise<void> {
  await call('DELETE', `/v1/notification-rules/${id}`, 'ops-admin');
  createdRuleIds.delete(id);
}

/** Settled: every delivery of `ruleIds` for the incident delivered or dead-lettered, and more than `more` of them. */
async function settledDeliveriesOf(incidentId: string, ruleIds: readonly string[], more = 0): Promise<DeliveryLine[]> {
  return waitFor('notification deliveries', async () => {
    const page = await call<{ items: DeliveryLine[] }>('GET', `/v1/deliveries?incidentId=${incidentId}&limit=100`, 'demo');
    const ours = page.items.filter((d) => ruleIds.includes(d.ruleId));
    return ours.length > more && ours.every((d) => d.status === 'delivered' || d.status === 'dead_lettered') ? ours : undefined;
  });
}

let cleaning: Promise<void> | undefined;
/** Deletes the run's remaining rules and revokes the people's keys (once; failures ignored: best effort). */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const id of [...createdRuleIds]) await deleteRule(id).catch(() => undefined);
    for (const keyId of issuedKeyIds) await call('POST', `/v1/api-keys/${keyId}/revoke`, 'ops-admin', { reason: 'npm run demo finished' }).catch(() => undefined);
  })();
  return cleaning;
}

const step = (text: string) => console.log(`\n▶ ${text}`);
const section = (title: string) => console.log(`\n━━ ${title} ━━`);
const time = (iso: string | null) => (iso ? iso.slice(11, 19) : '–');

interface IncidentView {
  id: string;
  title: string;
  severity: string;
  status: string;
  services: string[];
  declaredAt: string;
  declaredBy: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolutionSummary: string | null;
  roles: Record<string, string | null>;
  version: number;
}
interface TimelineLine {
  at: string;
  actor: string;
  summary: string;
}
interface DeliveryLine {
  ruleId: string;
  channelType: string;
  eventType: string;
  status: string;
  attemptCount: number;
}
interface PostmortemView {
  title: string;
  status: string;
  dueAt: string;
  summary: string;
  impact: { severity: string; services: string[]; durationMinutes: number };
  timeline: TimelineLine[];
}
interface DashboardView {
  open: { total: number };
  mtta: { overall: { meanSeconds: number | null } };
  mttr: { overall: { meanSeconds: number | null } };
}
/** Deliveries, oldest first (the API lists newest first). */
const printDeliveries = (items: DeliveryLine[]) => {
  for (const d of [...items].reverse()) console.log(`${d.channelType.padEnd(8)} ${d.eventType.padEnd(28)} ${d.status.padEnd(10)} attempts=${d.attemptCount}`);
};
const print = (title: string, value: unknown) => console.log(`\n━━ ${title} ━━\n${JSON.stringify(value, null, 2)}`);

async function main(): Promise<void> {
  const webhookCalls: Received[] = [];
  const slackCalls: Received[] = [];
  const webhook = await startReceiver('fireline-webhook', webhookCalls);
  const slack = await startReceiver('slack-incoming-webhook', slackCalls);
  try {
    step(`Fireline at ${BASE}; registering notification rules (signed webhook for SEV1/SEV2, Slack for everything on orders-db)`);
    const webhookRule = await createRule({
      name: 'On-call webhook for SEV1/SEV2',
      match: { severities: ['SEV1', 'SEV2'] },
      channel: { type: 'webhook', url: webhook.url },
    });
    const slackRule = await createRule({
      name: '#inc-orders-db',
      match: { services: ['orders-db'] },
      channel: { type: 'slack', webhookUrl: slack.url },
    });

    step('02:14 — disk usage alert on orders-db-primary: declaring a SEV2');
    const incident = await call<{ id: string }>('POST', '/v1/incidents', 'alertmanager', {
      title: 'orders-db primary: data volume full, writes failing',
      description: 'PostgreSQL primary orders-db-0 reports "could not extend file": no space left on device. Checkout writes fail.',
      severity: 'SEV2',
      services: ['orders-db', 'checkout'],
      detectionSource: 'alert:prometheus/PostgresDiskFull',
    });
    const id = incident.id;
    const on = (path: string) => `/v1/incidents/${id}${path}`;

    step('On-call acknowledges and takes command');
    await call('POST', on('/acknowledge'), 'dana.oncall@example.com');
    await call('PUT', on('/roles/incident_commander'), 'dana.oncall@example.com', { assignee: 'dana.oncall@example.com' });
    await call('PUT', on('/roles/technical_lead'), 'dana.oncall@example.com', { assignee: 'sam.dba@example.com' });
    await call('PUT', on('/roles/communications_lead'), 'dana.oncall@example.com', { assignee: 'lee.support@example.com' });

    step('Checkout is down for every customer: raising to SEV1');
    await call('POST', on('/severity'), 'dana.oncall@example.com', { severity: 'SEV1', reason: 'All checkout writes failing in every region' });

    step('Investigating → identified → mitigating');
    await call('POST', on('/status'), 'sam.dba@example.com', { status: 'investigating', note: 'pg_wal is 380 GB; replication slot of a dead replica holds WAL' });
    await call('POST', on('/notes'), 'sam.dba@example.com', { text: 'Slot "analytics_replica" inactive for 3 days, restart_lsn far behind' });
    await call('POST', on('/status'), 'sam.dba@example.com', { status: 'identified', note: 'Inactive replication slot retaining WAL filled the data volume' });
    await call('POST', on('/updates'), 'lee.support@example.com', {
      audience: 'internal',
      message: 'Root cause found: stale replication slot kept WAL. Dropping the slot and growing the volume.',
    });
    await call('POST', on('/updates'), 'lee.support@example.com', {
      audience: 'external',
      message: 'Checkout is failing. We have identified the cause and are applying a fix.',
    });
    await call('POST', on('/status'), 'sam.dba@example.com', { status: 'mitigating', note: 'Dropped slot, WAL recycled, volume grown 500 GB → 1 TB' });

    step('Writes recover: resolving');
    await call('POST', on('/resolve'), 'dana.oncall@example.com', {
      summary: 'Dropped the inactive replication slot and grew the data volume; writes recovered and checkout is healthy.',
    });
    await call('POST', on('/updates'), 'lee.support@example.com', { audience: 'external', message: 'Resolved: checkout is working again.' });

    const postmortems = await waitFor('the postmortem draft', async () => {
      const page = await call<{ items: { id: string }[] }>('GET', `/v1/postmortems?incidentId=${id}`, 'demo');
      return page.items.length > 0 ? page.items : undefined;
    });
    const deliveries = { items: await settledDeliveriesOf(id, [webhookRule.id, slackRule.id]) };

    const final = await call<IncidentView>('GET', on(''), 'demo');
    section('Incident');
    console.log(`${final.id}  ${final.severity}  ${final.status}  "${final.title}"`);
    console.log(`services ${final.services.join(', ')} · declared ${time(final.declaredAt)} by ${who(final.declaredBy)}`);
    console.log(`acknowledged ${time(final.acknowledgedAt)} by ${who(final.acknowledgedBy)} · resolved ${time(final.resolvedAt)}`);
    console.log(`roles: ${Object.entries(final.roles).map(([role, assignee]) => `${role}=${assignee}`).join(', ')}`);
    console.log(`resolution: ${final.resolutionSummary}`);
    console.log(`stream version (ETag) ${final.version}`);

    const timeline = await everyPage<TimelineLine>(on('/timeline'), 'demo');
    section(`Timeline (${timeline.length} events)`);
    for (const entry of timeline) console.log(`${time(entry.at)}  ${who(entry.actor).padEnd(26)} ${entry.summary}`);

    section(`Deliveries (${deliveries.items.length})`);
    printDeliveries(deliveries.items);
    console.log(`(webhook receiver got ${webhookCalls.length} signed POSTs; Slack stand-in got ${slackCalls.length} messages)`);
    const signed = webhookCalls[0];
    if (signed) console.log(`first webhook headers: fireline-delivery-id=${String(signed.headers['fireline-delivery-id'])} fireline-signature=${String(signed.headers['fireline-signature']).slice(0, 24)}…`);
    if (slackCalls[0]) console.log(`first Slack message text: ${String((JSON.parse(slackCalls[0].body) as { text?: string }).text)}`);

    const postmortem = await call<PostmortemView>('GET', `/v1/postmortems/${postmortems[0]!.id}`, 'demo');
    section('Postmortem draft');
    console.log(`${postmortem.title}  [${postmortem.status}]  due ${postmortem.dueAt}`);
    console.log(`impact: ${postmortem.impact.severity} on ${postmortem.impact.services.join(', ')}, ${postmortem.impact.durationMinutes} min`);
    console.log(`summary: ${postmortem.summary}`);
    console.log('timeline:');
    for (const entry of postmortem.timeline) console.log(`  ${time(entry.at)}  ${entry.summary}`);
    console.log('sections to fill in review: rootCause, contributingFactors, whatWentWell, whatWentWrong, whereWeGotLucky, actionItems');

    const dashboard = await call<DashboardView>('GET', '/v1/dashboard', 'demo');
    section('Dashboard');
    console.log(`open incidents: ${dashboard.open.total} · MTTA ${dashboard.mtta.overall.meanSeconds ?? '–'} s · MTTR ${dashboard.mttr.overall.meanSeconds ?? '–'} s (last 30 days)`);
    if (process.env.DEMO_JSON === 'true') print('Raw incident JSON', final);

    await deleteRule(webhookRule.id);
    await deleteRule(slackRule.id);

    await alertDrivenPart(EVENTS_V2_PATH, webhook.url, webhookCalls);
    await alertDrivenPart(WEBHOOK_PATH, webhook.url, webhookCalls);
    await statusPagePart();
  } finally {
    // The rules and the people's keys were for this run only.
    await cleanUp();
    webhook.server.close();
    slack.server.close();
  }
}

interface StatusPageDetails {
  version: number;
  page: { id: string; slug: string; components: { id: string; name: string; status: string }[]; groups: { id: string }[] };
}
interface SummaryJson {
  status: { indicator: string; description: string };
  components: { name: string; status: string; group: boolean }[];
  incidents: { name: string; status: string; incident_updates: { status: string; body: string }[] }[];
  scheduled_maintenances: { name: string; status: string; scheduled_for: string }[];
}

/**
 * The status-page part: a public page for Acme Checkout with components in a group, an incident
 * published on it with component impacts, an external update (internal ones stay internal), a
 * scheduled maintenance, the page as it was during the outage (`?at=`), and the resolution restoring
 * the components. Prints the page's URLs.
 */
async function statusPagePart(): Promise<void> {
  section('Status page');
  const slug = `acme-checkout-${randomUUID().slice(0, 6)}`;
  step(`Creating the public status page /status/${slug} with components`);
  const created = await call<StatusPageDetails>('POST', '/v1/status-pages', 'lee.support@example.com', { slug, name: 'Acme Checkout', timeZone: 'Europe/Berlin', description: 'Checkout and payments for Acme shops' });
  const pageId = created.page.id;
  const group = await call<StatusPageDetails>('POST', `/v1/status-pages/${pageId}/groups`, 'lee.support@example.com', { name: 'Payments' });
  const groupId = group.page.groups[0]!.id;
  const add = async (name: string, extra: Record<string, unknown> = {}) =>
    (await call<StatusPageDetails>('POST', `/v1/status-pages/${pageId}/components`, 'lee.support@example.com', { name, ...extra })).page.components.at(-1)!.id;
  const checkout = await add('Checkout API', { description: 'Placing orders' });
  await add('Card payments', { groupId });
  await add('Invoices', { groupId });
  const website = await add('Website');

  step('An incident hits checkout: declaring it and publishing it on the page with its impact');
  const incident = await call<{ id: string }>('POST', '/v1/incidents', 'dana.oncall@example.com', { title: 'orders-db replica lag, writes timing out', severity: 'SEV2', services: ['orders-db'] });
  await call('POST', `/v1/status-pages/${pageId}/incidents`, 'lee.support@example.com', {
    incidentId: incident.id,
    name: 'Checkout errors for some customers',
    impacts: [{ componentId: checkout, status: 'partial_outage' }],
  });
  await call('POST', `/v1/incidents/${incident.id}/updates`, 'sam.dba@example.com', { audience: 'internal', message: 'replica 2 is 40 s behind; failing over' });
  await call('POST', `/v1/incidents/${incident.id}/updates`, 'lee.support@example.com', { audience: 'external', message: 'Some checkouts fail or are slow. We are working on it.' });
  const soon = new Date(Date.now() + 2 * 60_000);
  await call('POST', `/v1/status-pages/${pageId}/maintenances`, 'lee.support@example.com', {
    name: 'Website CDN migration',
    message: 'We are moving the website to a new CDN; pages may load slowly.',
    scheduledFor: soon.toISOString(),
    scheduledUntil: new Date(soon.getTime() + 30 * 60_000).toISOString(),
    componentIds: [website],
  });
  const duringOutage = await waitFor('the public page to show the update', async () => {
    const summary = await call<SummaryJson>('GET', `/status/${slug}/api/v2/summary.json`, 'demo');
    return summary.incidents[0]?.incident_updates.length ? summary : undefined;
  });
  const outageAt = new Date().toISOString();
  console.log(`status: ${duringOutage.status.description} (indicator ${duringOutage.status.indicator})`);
  for (const c of duringOutage.components) console.log(`  ${c.group ? '[group] ' : ''}${c.name.padEnd(16)} ${c.status}`);
  const shown = duringOutage.incidents[0]!;
  console.log(`incident "${shown.name}" [${shown.status}]: ${shown.incident_updates.map((u) => u.body).join(' / ')}`);
  console.log(`upcoming: ${duringOutage.scheduled_maintenances.map((m) => `${m.name} at ${m.scheduled_for} (${m.status})`).join(', ')}`);

  step('The fix is out: resolving the incident restores the component');
  await call('POST', `/v1/incidents/${incident.id}/resolve`, 'dana.oncall@example.com', { summary: 'Failed over to replica 1; writes healthy.' });
  const after = await waitFor('the page to show the resolution', async () => {
    const summary = await call<SummaryJson>('GET', `/status/${slug}/api/v2/summary.json`, 'demo');
    return summary.incidents.length === 0 ? summary : undefined;
  });
  console.log(`status now: ${after.status.description}`);
  console.log(`\nPublic page:  ${BASE}/status/${slug}`);
  console.log(`As it was:    ${BASE}/status/${slug}?at=${encodeURIComponent(outageAt)}`);
  console.log(`Statuspage-compatible JSON: ${BASE}/status/${slug}/api/v2/summary.json  ·  feeds: ${BASE}/status/${slug}/history.atom, history.rss`);
}

/** The captured Alertmanager 0.25 requests (`{method, url, headers, body}`), see the fixture's README. */
const ALERTMANAGER_CAPTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'alertmanager-0.25');

interface CapturedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

const captured = (file: string) => JSON.parse(readFileSync(join(ALERTMANAGER_CAPTURES, file), 'utf8')) as CapturedRequest;

/** Replays one captured Alertmanager request as Alertmanager sends it (its headers, no Fireline ones). */
async function replay(request: CapturedRequest, expectedStatus: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${BASE}${request.url}`, {
    method: request.method,
    headers: request.headers,
    body: JSON.stringify(request.body),
  });
  const text = await response.text();
  if (response.status !== expectedStatus) throw new Error(`${request.method} ${request.url} -> ${response.status}: ${text}`);
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

interface AlertIncidentView extends IncidentView {
  detectionSource: string;
}
interface LedgerLine {
  id: string;
  receivedAt: string;
  eventAction: string | null;
  dedupKey: string | null;
  verdict: string;
  reason: string | null;
  processedAt: string | null;
  error: string | null;
  attempts: number;
  headers: Record<string, unknown>;
}

/** One way Alertmanager reaches Fireline: the integration type, the captured requests, and how they are addressed to it. */
interface AlertPath {
  title: string;
  type: 'events-v2' | 'alertmanager';
  /** The capture that opens the incident, and the one that resolves it. */
  files: { fire: string; resolve: string };
  /** What the capture says, for the step line. */
  describe: (body: Record<string, unknown>) => string;
  /** Where Alertmanager must be pointed for this integration. */
  configHint: (integrationId: string) => string;
  /** The capture sent to this integration with its credential (routing key or bearer token). */
  address: (request: CapturedRequest, integrationId: string, credential: string) => CapturedRequest;
  expectedStatus: number;
}

/** Part 2: Alertmanager's `pagerduty_configs` → PagerDuty Events API v2 (`POST /v2/enqueue`), authenticated by the routing key. */
const EVENTS_V2_PATH: AlertPath = {
  title: 'Part 2: alert-driven (Alertmanager → POST /v2/enqueue)',
  type: 'events-v2',
  files: { fire: 'events-v2-trigger.json', resolve: 'events-v2-resolve.json' },
  describe: (body) => {
    const payload = body.payload as { summary?: string; severity?: string } | undefined;
    return payload
      ? `"${payload.summary}" (${payload.severity}), captured Events v2 ${String(body.event_action)}`
      : `captured Events v2 ${String(body.event_action)}`;
  },
  configHint: () => `point pagerduty_configs.url at ${BASE}/v2/enqueue`,
  address: (request, _integrationId, routingKey) => ({ ...request, body: { ...request.body, routing_key: routingKey } }),
  expectedStatus: 202,
};

/** Part 3: Alertmanager's `webhook_configs` (payload version 4) → `POST /v1/integrations/{id}/alertmanager`, with a bearer token. */
const WEBHOOK_PATH: AlertPath = {
  title: 'Part 3: alert-driven (Alertmanager webhook → POST /v1/integrations/{id}/alertmanager)',
  type: 'alertmanager',
  files: { fire: 'webhook-v4-firing.json', resolve: 'webhook-v4-resolved.json' },
  describe: (body) => {
    const alerts = body.alerts as unknown[];
    const summary = (body.commonAnnotations as { summary?: string }).summary;
    return `"${summary}" [${String(body.status).toUpperCase()}:${alerts.length}], captured webhook v4 group ${String(body.groupKey)}`;
  },
  configHint: (id) => `webhook_configs.url ${BASE}/v1/integrations/${id}/alertmanager, http_config.authorization Bearer <token>`,
  address: (request, id, token) => {
    // The capture's own headers, except that Authorization is ours (Alertmanager's http_config.authorization).
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([header]) => header.toLowerCase() !== 'authorization'));
    return { ...request, url: `/v1/integrations/${id}/alertmanager`, headers: { ...headers, authorization: `Bearer ${token}` } };
  },
  expectedStatus: 200,
};

/** Parts 2 and 3: an incident opened, and resolved, by Alertmanager alone through `path`. */
async function alertDrivenPart(path: AlertPath, webhookUrl: string, webhookCalls: Received[]): Promise<void> {
  section(path.title);
  const name = `alertmanager-${path.type === 'events-v2' ? 'prod' : 'webhook'}-${correlationId.slice(0, 8)}`;
  const service = 'checkout';
  step(`Creating an ${path.type} integration "${name}" for service ${service}, and a webhook rule for ${service}`);
  const integration = await call<{ id: string; credentials: { routingKey?: string; token?: string } }>(
    'POST',
    '/v1/integrations',
    'ops-admin',
    {
      type: path.type,
      name,
      service,
    },
  );
  const credential = integration.credentials.routingKey ?? integration.credentials.token ?? '';
  console.log(
    `integration ${integration.id} · ${path.type === 'events-v2' ? 'routing key' : 'token'} …${credential.slice(-4)} (shown once; ${path.configHint(integration.id)})`,
  );
  const rule = await createRule({
    name: `On-call webhook for ${service}`,
    match: { services: [service] },
    channel: { type: 'webhook', url: webhookUrl },
  });
  const webhookCallsBefore = webhookCalls.length;
  const send = async (request: CapturedRequest) => {
    const answer = await replay(request, path.expectedStatus);
    console.log(`${answer.status} ${JSON.stringify(answer.body)}`);
    return answer;
  };
  const settledDeliveries = (incidentId: string, more: number) => settledDeliveriesOf(incidentId, [rule.id], more);
  const integrationActor = `integration:${integration.id}`;
  const actorName = (actor: string) => (actor === integrationActor ? `integration:${name}` : who(actor));

  try {
    const fire = path.address(captured(path.files.fire), integration.id, credential);
    const resolve = path.address(captured(path.files.resolve), integration.id, credential);
    step(`Alertmanager fires: ${path.describe(fire.body)} → ${fire.method} ${fire.url}`);
    await send(fire);

    const incident = await waitFor('the incident opened by the alert', async () => {
      const page = await call<{ items: { id: string }[] }>('GET', `/v1/incidents?status=open&service=${service}&limit=20`, 'demo');
      for (const item of page.items) {
        const view = await call<AlertIncidentView>('GET', `/v1/incidents/${item.id}`, 'demo');
        if (view.detectionSource === `alert:${name}`) return view;
      }
      return undefined;
    });
    console.log(`incident ${incident.id}  ${incident.severity}  ${incident.status}  "${incident.title}"`);
    console.log(
      `detection source ${incident.detectionSource} · services ${incident.services.join(', ')} · declared ${time(incident.declaredAt)} by ${actorName(incident.declaredBy)}`,
    );

    const notified = await settledDeliveries(incident.id, 0);
    section(`Notifications for ${incident.id.slice(0, 8)} (${notified.length})`);
    printDeliveries(notified);

    step('Alertmanager re-sends the group (group_interval): same group → deduplicated, no second incident');
    const again = await send(fire);
    const verdict = await waitFor('the ledger verdict of the re-send', async () => {
      const page = await call<{ items: LedgerLine[] }>('GET', `/v1/integrations/${integration.id}/deliveries?limit=5`, 'demo');
      const row = typeof again.body.deliveryId === 'string' ? page.items.find((d) => d.id === again.body.deliveryId) : page.items[0];
      return row?.processedAt ? row : undefined;
    });
    console.log(`ledger: ${verdict.verdict} — ${verdict.reason ?? ''}`);

    step(`Alertmanager resolves: ${path.describe(resolve.body)} → ${resolve.method} ${resolve.url}`);
    await send(resolve);
    const closed = await waitFor('the incident to resolve', async () => {
      const view = await call<AlertIncidentView>('GET', `/v1/incidents/${incident.id}`, 'demo');
      return view.status === 'resolved' ? view : undefined;
    });
    console.log(`incident ${closed.status} ${time(closed.resolvedAt)} · resolution: ${closed.resolutionSummary}`);
    const postmortems = await waitFor('the postmortem draft of the alert incident', async () => {
      const page = await call<{ items: { id: string }[] }>('GET', `/v1/postmortems?incidentId=${incident.id}`, 'demo');
      return page.items.length > 0 ? page.items : undefined;
    });
    const postmortem = await call<PostmortemView>('GET', `/v1/postmortems/${postmortems[0]!.id}`, 'demo');
    console.log(
      `postmortem: ${postmortem.title}  [${postmortem.status}]  due ${postmortem.dueAt} · impact ${postmortem.impact.severity}, ${postmortem.impact.durationMinutes} min`,
    );
    const timeline = await everyPage<TimelineLine>(`/v1/incidents/${incident.id}/timeline`, 'demo');
    section(`Incident timeline (${timeline.length} events)`);
    for (const entry of timeline)
      console.log(`${time(entry.at)}  ${actorName(entry.actor).padEnd(26)} ${entry.summary.split('\n')[0]}`);

    const deliveries = await settledDeliveries(incident.id, notified.length);
    section(`Notifications for ${incident.id.slice(0, 8)}, final (${deliveries.length})`);
    printDeliveries(deliveries);
    console.log(`(webhook receiver got ${webhookCalls.length - webhookCallsBefore} signed POSTs for the alert incident)`);

    const ledger = await everyPage<LedgerLine>(`/v1/integrations/${integration.id}/deliveries`, 'demo');
    section(`Intake ledger of ${name} (${ledger.length} deliveries, oldest first)`);
    const reasonWidth = Math.max(0, ...ledger.map((d) => (d.reason ?? '').length));
    for (const d of [...ledger].reverse()) {
      console.log(
        `${time(d.receivedAt)}  ${(d.eventAction ?? '–').padEnd(8)} ${d.verdict.padEnd(9)} ${(d.reason ?? '').padEnd(reasonWidth)} ` +
          `dedup ${(d.dedupKey ?? '–').slice(0, 12)}… · ${String(d.headers['user-agent'] ?? '')} · attempts=${d.attempts}${d.error ? ` error=${d.error}` : ''}`,
      );
    }
  } finally {
    await deleteRule(rule.id);
  }
}

// Ctrl-C: clean up as a finished run does, then stop. `on`, not `once`: a Ctrl-C reaches this process
// twice (from the terminal, and relayed by tsx), and a second, unhandled SIGINT would cut the clean-up short.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (cleaning) return;
    console.error(`\n${signal}: deleting this run's notification rules and revoking its keys`);
    void cleanUp().finally(() => process.exit(130));
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
