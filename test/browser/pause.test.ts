import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import Koa from 'koa';
import type { Unleash } from 'unleash-client';
import { maintenance } from '../../src/index.js';
import { launchChromium, skipWithoutChromium, type HeadlessChromium } from '../support/chromium.js';
import { startFeaturesServer, type FeaturesServer } from '../support/features-server.js';
import { FLAG, pollingUnleash } from '../support/unleash.js';

const SITE = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Shop</title><link rel="icon" href="data:,"></head><body><h1>Welcome to the shop</h1></body></html>';

/**
 * A page opened during a short pause, in Chromium: the browser waits and then shows the site, never the
 * maintenance page. The flag is flipped through a local features server that a real client polls every 50 ms.
 */
describe('browser: a page loaded during a 2-second pause', function () {
  this.timeout(30_000);
  let browser: HeadlessChromium | undefined;
  let features: FeaturesServer | undefined;
  let unleash: Unleash | undefined;
  let server: Server | undefined;
  const errors: unknown[] = [];

  before(async function () {
    skipWithoutChromium(this);
    features = await startFeaturesServer();
    unleash = pollingUnleash(features.url, 50, errors);
    await once(unleash, 'synchronized');
    browser = await launchChromium();
  });

  after(async function () {
    await browser?.close();
    server?.closeAllConnections();
    server?.close();
    unleash?.destroy();
    await features?.close();
  });

  async function setMaintenance(on: boolean): Promise<void> {
    features!.enabled = on;
    const deadline = Date.now() + 3_000;
    while (unleash!.isEnabled(FLAG) !== on) {
      if (Date.now() > deadline) expect.fail(`the client did not see maintenance ${on ? 'on' : 'off'}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('shows the site, not the maintenance page', async function () {
    const app = new Koa();
    app.use(maintenance({ unleash: unleash!, mode: 'pause' }));
    app.use((ctx) => {
      ctx.type = 'html';
      ctx.body = SITE;
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    const page = await browser!.context.newPage();
    await setMaintenance(true);
    const started = Date.now();
    const loading = page.goto(url, { waitUntil: 'load', timeout: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await setMaintenance(false);
    const response = await loading;
    const waited = Date.now() - started;

    expect(response?.status()).to.equal(200);
    expect(await page.title()).to.equal('Shop');
    expect((await page.locator('h1').innerText()).trim()).to.equal('Welcome to the shop');
    expect(await page.content()).not.to.contain('maintenance');
    expect(waited, 'the browser waited out the pause').to.be.within(1_900, 5_000);
    await page.close();
  });
});
