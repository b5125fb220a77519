import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { RunningDemoApp } from '../../demo/app.js';
import { SERVER_START_TIMEOUT_MS } from '../support/shared-unleash.js';
import { launchChromium, skipWithoutChromium, type HeadlessChromium } from '../support/chromium.js';
import { startDemoOnSharedUnleash, type DemoOnUnleash } from '../support/demo.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const TITLE = 'Down for maintenance';

describe('browser: the maintenance page in headless Chromium', function () {
  this.timeout(30_000);
  let demo: DemoOnUnleash | undefined;
  let app: RunningDemoApp | undefined;
  let browser: HeadlessChromium | undefined;
  let page: Page;
  const consoleErrors: { text: string; url: string }[] = [];
  const requests: string[] = [];

  before(async function () {
    skipWithoutChromium(this);
    this.timeout(SERVER_START_TIMEOUT_MS);
    demo = await startDemoOnSharedUnleash('browser', true);
    app = demo.app;

    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    const context = browser.context;
    context.on('request', (request) => requests.push(request.url()));
    page = browser.page;
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push({ text: message.text(), url: message.location().url });
    });
    page.on('pageerror', (error) => consoleErrors.push({ text: `uncaught: ${error.message}`, url: page.url() }));
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close();
    await demo?.close();
  });

  it('shows the maintenance page with a 503, its heading and message', async function () {
    const app_ = app as RunningDemoApp;
    const response = await page.goto(`${app_.url}/`, { waitUntil: 'load' });
    expect(response?.status()).to.equal(503);
    expect(response?.headers()['content-type']).to.match(/^text\/html/);

    expect(await page.title()).to.equal(TITLE);
    expect(await page.locator('h1').count()).to.equal(1);
    expect((await page.locator('h1').innerText()).trim()).to.equal(TITLE);
    const message = page.locator('main p').first();
    expect(await message.isVisible()).to.equal(true);
    expect((await message.innerText()).trim()).to.match(/back shortly/);
    expect(await page.getAttribute('html', 'lang')).to.equal('en');

    await page.screenshot({ path: join(ARTIFACTS, 'maintenance-page.png'), fullPage: true });

    // The allowed admin area still opens in the same browser.
    const admin = await page.goto(`${app_.url}/admin/`, { waitUntil: 'load' });
    expect(admin?.status()).to.equal(200);
    expect(await page.locator('.banner').innerText()).to.match(/Maintenance is ON/);
    await page.goto(`${app_.url}/`, { waitUntil: 'load' });
  });

  it('looks right in dark mode', async function () {
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      const response = await page.goto(`${(app as RunningDemoApp).url}/`, { waitUntil: 'load' });
      expect(response?.status()).to.equal(503);
      const colors = (await page.evaluate(
        '(() => { const s = getComputedStyle(document.body); return [s.backgroundColor, s.color]; })()',
      )) as [string, string];
      // Dark background, light text: the page follows prefers-color-scheme.
      expect(luminance(colors[0])).to.be.below(0.2);
      expect(luminance(colors[1])).to.be.above(0.6);
      await page.screenshot({ path: join(ARTIFACTS, 'maintenance-page-dark.png'), fullPage: true });
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });

  it('fits a narrow phone screen without horizontal scrolling', async function () {
    await page.setViewportSize({ width: 320, height: 640 });
    const response = await page.goto(`${(app as RunningDemoApp).url}/`, { waitUntil: 'load' });
    expect(response?.status()).to.equal(503);
    const [scrollWidth, innerWidth] = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
    expect(scrollWidth).to.be.at.most(innerWidth);
    expect(await page.locator('h1').isVisible()).to.equal(true);
    await page.screenshot({ path: join(ARTIFACTS, 'maintenance-page-mobile.png'), fullPage: true });
  });

  it('logged no console errors and sent no request outside the app', function () {
    const origin = new URL((app as RunningDemoApp).url).origin;
    // Chromium reports the 503 of the page itself as "Failed to load resource": that one is the point of the
    // test. The page's empty data: icon spares the /favicon.ico request, so no other 503 may show up.
    const unexpected = consoleErrors.filter(
      ({ text, url }) => !(/status of 503 \(Service Unavailable\)/.test(text) && url === `${origin}/`),
    );
    expect(unexpected, 'console errors').to.deep.equal([]);
    const elsewhere = requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
    expect(elsewhere, 'requests that left the origin').to.deep.equal([]);
    expect(requests.length).to.be.greaterThan(0);
    expect(requests, 'the empty icon keeps the browser from asking for /favicon.ico').not.to.include(`${origin}/favicon.ico`);
  });
});

/** Relative luminance (0 black .. 1 white) of a CSS `rgb(...)` color. */
function luminance(color: string): number {
  const [r, g, b] = (color.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((part) => {
    const c = Number(part) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}
