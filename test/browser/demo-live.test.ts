import { join } from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
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
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
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
