import { join } from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { runCliProcess } from '../support/cli-process.js';
import { SERVER_START_TIMEOUT_MS } from '../support/shared-unleash.js';
import { launchChromium, skipWithoutChromium, type HeadlessChromium } from '../support/chromium.js';
import { startDemoOnSharedUnleash, type DemoOnUnleash } from '../support/demo.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const timeConstraint = (operator: 'DATE_AFTER' | 'DATE_BEFORE', time: Date) => ({
  contextName: 'currentTime', operator, value: time.toISOString(), values: [], inverted: false, caseInsensitive: false,
});

/**
 * The demo as a visitor meets a scheduled window in Chromium: the home page announces it and its live clock
 * ticks over a WebSocket; when the window starts the clock stops with 1013 and a reload shows the maintenance
 * page; when it ends the home page is back, with nothing announced.
 */
describe('browser: a scheduled window on the demo, with its live clock', function () {
  this.timeout(40_000);
  let demo: DemoOnUnleash | undefined;
  let browser: HeadlessChromium | undefined;
  let page: Page;

  before(async function () {
    skipWithoutChromium(this);
    this.timeout(SERVER_START_TIMEOUT_MS);
    demo = await startDemoOnSharedUnleash('live', false);
    browser = await launchChromium();
    page = browser.page;
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close();
    await demo?.close();
  });

  async function reloadUntil(status: number, deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const response = await page.goto(`${demo!.app.url}/`, { waitUntil: 'load' });
      if (response?.status() === status) return;
      if (Date.now() > deadline) expect.fail(`the home page did not answer ${status} within ${deadlineMs} ms (last: ${response?.status()})`);
      await page.waitForTimeout(200);
    }
  }

  it('announces, stops the clock with 1013 and shows the page during, and is back after', async function () {
    const { stack, flag, app } = demo!;
    const from = new Date(Date.now() + 6_000);
    const until = new Date(from.getTime() + 4_000);
    await stack.admin.replaceStrategies(flag, 'development', {
      name: 'flexibleRollout',
      parameters: { rollout: '100', stickiness: 'default', groupId: flag },
      constraints: [timeConstraint('DATE_AFTER', from), timeConstraint('DATE_BEFORE', until)],
      variants: [{ name: 'window', weight: 1000, weightType: 'variable', stickiness: 'default', payload: { type: 'json', value: JSON.stringify({ title: 'Database upgrade', notice: 3600 }) } }],
    });
    await stack.admin.setEnabled(flag, 'development', true);

    const banner = page.locator('.maintenance-banner');
    const deadline = Date.now() + 3_000;
    for (;;) {
      expect((await page.goto(`${app.url}/`, { waitUntil: 'load' }))?.status()).to.equal(200);
      if ((await banner.count()) > 0) break;
      if (Date.now() > deadline) expect.fail('no banner within 3 s of scheduling the window');
      await page.waitForTimeout(200);
    }
    expect(Date.now(), 'the window has not started yet').to.be.below(from.getTime());
    expect(await banner.innerText()).to.match(/^Scheduled maintenance on .* UTC\.$/);
    await page.locator('#clock', { hasText: /\d\d:\d\d:\d\d UTC/ }).waitFor({ timeout: 3_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'demo-window-announced.png') });

    await page.locator('#clock', { hasText: 'stopped (1013 maintenance)' }).waitFor({ timeout: from.getTime() - Date.now() + 2_500 });
    await reloadUntil(503, 2_000);
    expect((await page.locator('h1').innerText()).trim()).to.equal('Database upgrade');
    await page.screenshot({ path: join(ARTIFACTS, 'demo-window-during.png') });

    await page.waitForTimeout(Math.max(0, until.getTime() - Date.now()));
    await reloadUntil(200, 3_000);
    expect(await banner.count(), 'nothing announced after the window').to.equal(0);
  });
});

/**
 * Part of the demo closed from the command, as a visitor meets it in Chromium: `unleash-maintenance on --path
 * /checkout` on the real server; the home page stays open and its banner says the checkout is closed, its
 * link to the checkout leads to the maintenance page, every checkout page answers 503 while `/admin/` stays
 * open; `off --path /checkout` brings the checkout back.
 */
describe('browser: only the checkout closed on the demo, from the command', function () {
  this.timeout(40_000);
  const message = 'Payments are being upgraded.';
  let demo: DemoOnUnleash | undefined;
  let browser: HeadlessChromium | undefined;
  let page: Page;

  before(async function () {
    skipWithoutChromium(this);
    this.timeout(SERVER_START_TIMEOUT_MS);
    demo = await startDemoOnSharedUnleash('checkout', false);
    browser = await launchChromium();
    page = browser.page;
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close();
    await demo?.close();
  });

  async function command(...args: string[]): Promise<void> {
    const { stack, flag } = demo!;
    const result = await runCliProcess([...args, '-e', 'development', '--flag', flag], { UNLEASH_URL: stack.url, UNLEASH_ADMIN_TOKEN: stack.tokens.admin });
    expect(result.code, `${args.join(' ')}\n${result.stdout}${result.stderr}`).to.equal(0);
  }

  /** Loads `path` until it answers `status`, at most for `deadlineMs`. */
  async function loadUntil(path: string, status: number, deadlineMs = 5_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const response = await page.goto(`${demo!.app.url}${path}`, { waitUntil: 'load' });
      if (response?.status() === status) return;
      if (Date.now() > deadline) expect.fail(`${path} did not answer ${status} within ${deadlineMs} ms (last: ${response?.status()})`);
      await page.waitForTimeout(200);
    }
  }

  it('on --path /checkout: the home page says so and stays open, the checkout shows the maintenance page; off reopens it', async function () {
    const { app } = demo!;
    await loadUntil('/checkout', 200);
    expect((await page.locator('h1').innerText()).trim()).to.equal('Checkout');

    await command('on', '--path', '/checkout', '--until', '1h', '--area', 'Checkout', '--title', 'Checkout closed', '--message', message);
    await loadUntil('/checkout', 503);
    expect((await page.locator('h1').innerText()).trim()).to.equal('Checkout closed');
    expect(await page.locator('main').innerText()).to.contain(message);

    await loadUntil('/', 200);
    const banner = page.locator('.maintenance-banner');
    expect(await banner.count()).to.equal(1);
    expect(await banner.getAttribute('role')).to.equal('status');
    expect(await banner.innerText()).to.match(new RegExp(`^Checkout is closed for maintenance until .+ UTC\\. ${message.replace(/\./g, '\\.')}$`));
    expect((await page.locator('h1').innerText()).trim()).to.equal('Demo shop');
    await page.screenshot({ path: join(ARTIFACTS, 'demo-checkout-closed-home.png') });

    const [navigation] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#to-checkout')]);
    expect(navigation?.status(), 'following the home page link to the checkout').to.equal(503);
    expect((await page.locator('h1').innerText()).trim()).to.equal('Checkout closed');
    await page.screenshot({ path: join(ARTIFACTS, 'demo-checkout-closed-checkout.png') });

    for (const path of ['/checkout/payment', '/Checkout/', '/checkout/done']) {
      expect((await page.goto(`${app.url}${path}`, { waitUntil: 'load' }))?.status(), path).to.equal(503);
    }
    expect((await page.goto(`${app.url}/admin/`, { waitUntil: 'load' }))?.status()).to.equal(200);
    expect(await banner.innerText(), 'the admin area names the closed checkout too').to.match(/^Checkout is closed for maintenance/);

    await command('off', '--path', '/checkout');
    await loadUntil('/checkout', 200);
    expect((await page.locator('h1').innerText()).trim()).to.equal('Checkout');
    await loadUntil('/', 200);
    expect(await banner.count(), 'nothing announced once the checkout is open').to.equal(0);
  });
});
