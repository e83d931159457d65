import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';

/** Debian's chromium, which playwright-core drives (it downloads no browser of its own here). */
export const CHROMIUM = '/usr/bin/chromium';

let installTried: string | undefined | null = null;

/**
 * Makes sure Debian's chromium is installed (apt-get, as root), once per process. Returns why it
 * cannot be had, or undefined when it is there. apt's lock timeout lets two test files install at once.
 */
export function ensureChromium(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  if (installTried !== null) return installTried;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return (installTried = 'chromium is not installed and installing it needs root (apt-get install chromium)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  const update = spawnSync('apt-get', [...lock, 'update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0 ? spawnSync('apt-get', [...lock, 'install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env }) : update;
  installTried = install.status === 0 && existsSync(CHROMIUM) ? undefined : `apt-get install chromium failed (exit ${install.status ?? install.error?.message})`;
  return installTried;
}

/**
 * Headless Chromium for a test, or undefined after skipping it (saying why) when there is none.
 * Under CI=true a missing browser fails the test instead: CI must run these.
 */
export async function launchChromium(t: { skip(reason: string): void }): Promise<Browser | undefined> {
  const missing = ensureChromium();
  if (missing !== undefined) {
    if (process.env['CI'] === 'true') throw new Error(`no Chromium for the browser tests: ${missing}`);
    t.skip(`no Chromium: ${missing}`);
    return undefined;
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** One Chromium page for a test file; with no Chromium, `browser` is undefined and `skipReason` says why. */
export interface ChromiumPage {
  browser: Browser | undefined;
  /** Only to be used when `browser` is defined. */
  page: Page;
  skipReason: string | undefined;
}

/**
 * Launches Chromium (see launchChromium) and opens a page at the URL `start` gives; `start` runs
 * only when there is a browser, so it can start the server the page needs. A failure after the
 * launch closes the browser before it is rethrown.
 */
export async function openChromiumPage(start: () => string | Promise<string>, options: Parameters<Browser['newPage']>[0] = {}): Promise<ChromiumPage> {
  let skipReason: string | undefined;
  const browser = await launchChromium({ skip: (why) => { skipReason = why; } });
  if (!browser) return { browser, page: undefined as unknown as Page, skipReason };
  try {
    const page = await browser.newPage(options);
    await page.goto(await start());
    return { browser, page, skipReason };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
