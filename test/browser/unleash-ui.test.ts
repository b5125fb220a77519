import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { waitFor } from '../../dev/unleash/index.js';
import { httpGet } from '../support/http.js';
import { SERVER_START_TIMEOUT_MS } from '../support/shared-unleash.js';
import { launchChromium, skipWithoutChromium, type HeadlessChromium } from '../support/chromium.js';
import { startDemoOnSharedUnleash, type DemoOnUnleash } from '../support/demo.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');

/**
 * The click path `npm start` prints, walked in the real Unleash UI (unleash-server 7.5.1): sign in as the
 * default admin (admin / unleash4all, which dev/unleash leaves in place), switch the flag on in
 * `development`, and the demo app answers 503; switch it off, and it answers 200.
 */
describe('browser: the npm start click path in the Unleash UI', function () {
  this.timeout(45_000);
  let demo: DemoOnUnleash | undefined;
  let browser: HeadlessChromium | undefined;

  before(async function () {
    skipWithoutChromium(this);
    this.timeout(SERVER_START_TIMEOUT_MS);
    demo = await startDemoOnSharedUnleash('ui', false);
    browser = await launchChromium({ width: 1400, height: 900 });
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close();
    await demo?.close();
  });

  it('signs in as admin / unleash4all, and the development toggle puts the app into maintenance and back', async function () {
    const { stack, flag, app } = demo as DemoOnUnleash;
    const page = (browser as HeadlessChromium).page;
    const status = async () => (await httpGet(`${app.url}/`, { timeoutMs: 2_000 })).status;
    expect(await status()).to.equal(200);

    // The flag page, as printed; it sends a signed-out browser to the login form first.
    await page.goto(`${stack.url}/projects/default/features/${encodeURIComponent(flag)}`);
    await page.locator('input[name=username]').fill('admin', { timeout: 20_000 });
    await page.locator('input[type=password]').fill('unleash4all');
    const [login] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/auth/simple/login')),
      page.getByRole('button', { name: /sign in/i }).click(),
    ]);
    expect(login.status(), 'login as admin / unleash4all').to.equal(200);

    // The first sign-in shows a welcome dialog over the page.
    const welcome = page.getByRole('button', { name: /got it/i });
    await welcome.click({ timeout: 5_000 }).catch(() => {});

    const toggle = page.locator('input[type=checkbox][aria-label=development]');
    await toggle.waitFor({ timeout: 15_000 });
    expect(await toggle.isChecked()).to.equal(false);
    await toggle.click();
    await waitFor(async () => ((await status()) === 503 ? true : undefined), {
      description: 'the demo app to answer 503 after the click',
      timeoutMs: 3_000,
      intervalMs: 100,
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'unleash-ui-flag-on.png') });

    await toggle.click();
    await waitFor(async () => ((await status()) === 200 ? true : undefined), {
      description: 'the demo app to answer 200 after the second click',
      timeoutMs: 3_000,
      intervalMs: 100,
    });
  });
});
