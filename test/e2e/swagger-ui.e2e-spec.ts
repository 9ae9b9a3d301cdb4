import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { createPlatformTestApp, type PlatformTestApp } from '../support/platform-test-app';

jest.setTimeout(120_000);

/** Debian's `chromium` package (installed by `.ci/run`). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Swagger UI at `/docs` in a real browser (headless Chromium through playwright-core), under the
 * security headers every answer carries: the page loads without a Content-Security-Policy violation
 * or a console error, the Authorize dialog takes an API key, and "Try it out" on a GET answers 200.
 */
describe('Swagger UI under the security headers (e2e)', () => {
  let platform: PlatformTestApp;
  let baseUrl: string;
  let profile: string;
  let browser: BrowserContext;

  beforeAll(async () => {
    platform = await createPlatformTestApp('swagger_ui', ['fatal']);
    await platform.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(platform.app.getHttpServer().address() as AddressInfo).port}`;
    profile = await mkdtemp(join(tmpdir(), 'fireline-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('sends the security headers on the API and on the docs', async () => {
    for (const path of ['/v1/incidents', '/docs', '/docs-json', '/health/live']) {
      const response = await fetch(`${baseUrl}${path}`);
      await response.arrayBuffer();
      const csp = response.headers.get('content-security-policy') ?? '';
      expect([path, csp]).toEqual([path, expect.stringContaining("default-src 'self'")]);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-eval');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    }
  });

  it('loads /docs without CSP violations, authorizes with an API key, and runs "Try it out" on GET /v1/dashboard', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.addInitScript(`document.addEventListener('securitypolicyviolation', (event) => console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI));`);

    await page.goto(`${baseUrl}/docs`, { waitUntil: 'networkidle' });
    await page.locator('.swagger-ui .info .title').waitFor();
    expect(await page.locator('.swagger-ui .info .title').textContent()).toContain('Fireline');

    await page.locator('button.btn.authorize').first().click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    await dialog.locator('input').first().fill(platform.adminKey);
    await dialog.locator('button.authorize').click();
    await dialog.locator('button.btn-done').click();

    const operation = page.locator('[id^="operations-dashboard-"]').first();
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe('200');
    expect(await operation.locator('.live-responses-table .highlight-code').first().textContent()).toContain('generatedAt');

    expect(problems).toEqual([]);
    await page.close();
  });
});
