import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags that work in this sandbox (root, no GPU, no outside network). playwright-core gives every launch
 * a fresh temporary profile (`--user-data-dir`) of its own and removes it on close.
 */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Headless Chromium driven by playwright-core. */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS, timeout: 30_000 });
  return { browser, close: () => browser.close() };
}
