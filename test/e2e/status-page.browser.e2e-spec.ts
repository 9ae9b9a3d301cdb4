import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { eventually } from '../support/eventually';
import { launchChromium } from '../support/headless-chromium';
import { createPlatformTestApp, type PlatformTestApp } from '../support/platform-test-app';

jest.setTimeout(120_000);

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * The status page as a customer sees it, in a real browser: the platform (all three services) builds a
 * page with components, declares an incident, publishes an external update, and headless Chromium
 * renders `/status/{slug}` with JavaScript off. Checks the visible status, the incident text, the uptime
 * bars, runs axe-core (no serious or critical violation), and saves a screenshot as a CI artifact.
 */
describe('status page in headless Chromium (e2e)', () => {
  let platform: PlatformTestApp | undefined;
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    platform = await createPlatformTestApp('status_page_browser');
    await platform.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(platform.app.getHttpServer().address() as AddressInfo).port}`;
    chromium = await launchChromium();
    browser = chromium.browser;
  });

  afterAll(async () => {
    await chromium?.close();
    await platform?.close();
  });

  it('shows the outage, the public update and 90-day uptime bars, accessibly, without JavaScript', async () => {
    const http = platform!.http;
    const slug = `acme-${Date.now().toString(36)}`;
    const page = await http.post('/v1/status-pages').send({ slug, name: 'Acme Checkout', timeZone: 'Europe/Berlin', description: 'Payments and checkout for Acme shops' });
    expect(page.status).toBe(201);
    const pageId = page.body.page.id as string;
    const group = await http.post(`/v1/status-pages/${pageId}/groups`).send({ name: 'Payments' });
    const groupId = group.body.page.groups[0].id as string;
    const api = (await http.post(`/v1/status-pages/${pageId}/components`).send({ name: 'Checkout API', description: 'POST /checkout' })).body.page.components[0].id as string;
    await http.post(`/v1/status-pages/${pageId}/components`).send({ name: 'Card payments', groupId });
    await http.post(`/v1/status-pages/${pageId}/components`).send({ name: 'Website' });

    const incident = await http.post('/v1/incidents').send({ title: 'orders-db primary disk full', severity: 'SEV1', services: ['orders-db'] });
    const incidentId = incident.body.id as string;
    await http.post(`/v1/status-pages/${pageId}/incidents`).send({ incidentId, name: 'Checkout failures', impacts: [{ componentId: api, status: 'major_outage' }] });
    await http.post(`/v1/incidents/${incidentId}/updates`).send({ audience: 'internal', message: 'replication slot retains WAL' });
    await http.post(`/v1/incidents/${incidentId}/updates`).send({ audience: 'external', message: 'Some checkouts fail; we are working on a fix.' });
    await eventually(async () => expect((await platform!.anonymous.get(`/status/${slug}`)).text).toContain('Some checkouts fail'));

    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1024, height: 900 } });
    const tab = await context.newPage();
    const cspViolations: string[] = [];
    tab.on('console', (message) => void (message.text().includes('Content Security Policy') && cspViolations.push(message.text())));
    const response = await tab.goto(`${baseUrl}/status/${slug}`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    // Served under the security headers' CSP (no inline script) and rendered without a violation.
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    expect(await tab.locator('#overall').innerText()).toContain('Major System Outage');
    const activeIncident = tab.locator('section[aria-labelledby="active-incidents"] article');
    expect(await activeIncident.count()).toBe(1);
    const incidentText = await activeIncident.innerText();
    expect(incidentText).toContain('Checkout failures');
    expect(incidentText).toContain('Some checkouts fail; we are working on a fix.');
    expect(incidentText).toContain('Affected: Checkout API');
    expect(await tab.content()).not.toContain('replication slot');
    expect(await tab.locator(`#component-${api} .status`).innerText()).toContain('Major outage');
    // One uptime bar of 90 days per showcased component; today's bar shows the outage.
    const bars = tab.locator('svg.bars');
    expect(await bars.count()).toBe(3);
    expect(await bars.first().getAttribute('data-days')).toBe('90');
    expect(await tab.locator(`#component-${api} rect`).last().getAttribute('class')).toBe('d-critical');
    expect(await tab.locator(`#component-${api} rect`).last().locator('title').textContent()).toMatch(/^\d{4}-\d\d-\d\d: \d+\.\d\d% uptime, worst: Major outage$/);
    expect(await tab.locator(`#component-${api} figcaption`).innerText()).toMatch(/\d+\.\d\d% uptime/);

    expect(cspViolations).toEqual([]);

    // axe-core in the page (injected by the test; the page itself needs no JavaScript). The page's CSP
    // rightly refuses inline script, so this audit context bypasses it for the test's own script.
    const axeContext = await browser.newContext({ viewport: { width: 1024, height: 900 }, bypassCSP: true });
    const axeTab = await axeContext.newPage();
    await axeTab.goto(`${baseUrl}/status/${slug}`, { waitUntil: 'load' });
    await axeTab.addScriptTag({ content: readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
    // Runs in the browser, where `document` exists (this file is type-checked for Node).
    const violations = (await axeTab.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: unknown[] }> } }).axe;
      return (await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] } })).violations;
    })) as AxeViolation[];
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);

    // Narrow screens: no horizontal scrolling.
    const mobile = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
    const phone = await mobile.newPage();
    await phone.goto(`${baseUrl}/status/${slug}`, { waitUntil: 'load' });
    expect(
      await phone.evaluate(() => {
        const w = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
        return w.document.documentElement.scrollWidth <= w.innerWidth;
      }),
    ).toBe(true);

    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = join(ARTIFACTS, 'status-page.png');
    await tab.screenshot({ path: screenshot, fullPage: true });
    await phone.screenshot({ path: join(ARTIFACTS, 'status-page-mobile.png'), fullPage: true });
    process.stdout.write(`\n[status-page e2e] screenshot: ${screenshot}\n`);
    console.log(`status page screenshot saved: ${screenshot} (axe: ${violations.length} minor/moderate findings: ${violations.map((v) => v.id).join(', ') || 'none'})`);
    await Promise.all([context.close(), axeContext.close(), mobile.close()]);
  });
});
