import { join } from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { waitFor, type UnleashStack } from '../../dev/unleash/index.js';
import { MaintenanceControl } from '../../src/control/index.js';
import type { MaintenanceStatus } from '../../src/index.js';
import { launchChromium, skipWithoutChromium, type HeadlessChromium } from '../support/chromium.js';
import { uniqueFlagName } from '../support/flags.js';
import { createTestClient, waitUntilSynchronized, type TestClient } from '../support/server-client.js';
import { SERVER_START_TIMEOUT_MS, sharedUnleash } from '../support/shared-unleash.js';
import { SHOP_STATUS_PATH, startShopApp, type ShopApp } from '../support/shop-app.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const MESSAGE = 'Payments are being upgraded.';

/**
 * Only the checkout closed through the real unleash-server (`MaintenanceControl.enable` with a path scope), as
 * a visitor meets it in Chromium on a shop behind a default @koa/router and koa-mount: open pages carry the
 * banner naming the closed checkout, the link to the checkout leads to the bundled maintenance page (503),
 * the page's own script reads `?path=/checkout` from the status endpoint, and the checkout is back after
 * `disable` of that scope.
 */
describe('browser: only the checkout closed, on a shop with @koa/router', function () {
  this.timeout(30_000);
  const flag = uniqueFlagName('scope-browser');
  let stack: UnleashStack | undefined;
  let client: TestClient | undefined;
  let shop: ShopApp | undefined;
  let browser: HeadlessChromium | undefined;
  let page: Page;

  before(async function () {
    skipWithoutChromium(this);
    this.timeout(SERVER_START_TIMEOUT_MS);
    stack = await sharedUnleash();
    await stack.admin.createFlag(flag);
    client = createTestClient({ url: stack.url, token: stack.tokens.production });
    await waitUntilSynchronized(client);
    shop = await startShopApp({ unleash: client.unleash, flagName: flag });
    browser = await launchChromium();
    page = browser.page;
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close();
    await shop?.close();
    client?.destroy();
    await stack?.admin.deleteFlag(flag);
  });

  const control = () => new MaintenanceControl({ url: stack!.url, token: stack!.tokens.admin, flag });

  async function open(path: string, status: number): Promise<void> {
    const response = await page.goto(`${shop!.url}${path}`, { waitUntil: 'load' });
    expect(response?.status(), path).to.equal(status);
  }

  async function checkoutAnswers(status: number): Promise<void> {
    await waitFor(async () => ((await shop!.request('GET', '/checkout')).status === status ? true : undefined), {
      description: `/checkout to answer ${status}`,
      timeoutMs: 5_000,
      intervalMs: 100,
    });
  }

  it('shows the banner on open pages, the maintenance page on the checkout, and the checkout again after disable', async function () {
    const until = new Date(Date.now() + 3_600_000);
    await control().enable('production', { scope: { paths: ['/checkout'] }, area: 'Checkout', title: 'Checkout closed', message: MESSAGE, until });
    await checkoutAnswers(503);

    await open('/products', 200);
    expect((await page.locator('h1').innerText()).trim()).to.equal('Products');
    const banner = page.locator('.maintenance-banner');
    expect(await banner.count()).to.equal(1);
    expect(await banner.isVisible()).to.equal(true);
    expect(await banner.getAttribute('role')).to.equal('status');
    expect(await banner.innerText()).to.match(/^Checkout is closed for maintenance until .+ UTC\. Payments are being upgraded\.$/);
    await page.screenshot({ path: join(ARTIFACTS, 'scope-products-banner.png') });

    // What a front end reads before sending a visitor on: the status for the checkout, from the page itself.
    const asked = await page.evaluate(async (url) => (await fetch(url)).json(), `${SHOP_STATUS_PATH}?path=/checkout`) as MaintenanceStatus;
    expect(asked).to.include({ path: '/checkout', active: true, title: 'Checkout closed', message: MESSAGE, until: until.toISOString() });

    const hitsBefore = shop!.hits.length;
    const [navigation] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#to-checkout')]);
    expect(navigation?.status(), 'following the link to the checkout').to.equal(503);
    expect(await page.title()).to.equal('Checkout closed');
    expect((await page.locator('h1').innerText()).trim()).to.equal('Checkout closed');
    expect(await page.locator('main').innerText()).to.contain(MESSAGE);
    expect(await page.getAttribute('html', 'lang')).to.equal('en');
    await page.screenshot({ path: join(ARTIFACTS, 'scope-checkout-closed.png') });
    for (const path of ['/Checkout/Pay', '/checkout/pay/card', '/checkout/receipts/42']) await open(path, 503);
    expect(shop!.hits.slice(hitsBefore), 'no checkout handler ran').to.deep.equal([]);

    await open('/cart', 200);
    expect(await banner.innerText()).to.match(/^Checkout is closed for maintenance/);

    await control().disable('production', { scope: { paths: ['/checkout'] } });
    await checkoutAnswers(200);
    await open('/checkout', 200);
    expect((await page.locator('h1').innerText()).trim()).to.equal('Checkout');
    await open('/products', 200);
    expect(await banner.count(), 'nothing announced once the checkout is open').to.equal(0);
  });
});
