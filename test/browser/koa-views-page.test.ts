import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Koa from 'koa';
import { maintenance } from '../../src/index.js';
import { destroyUnleashClients, flag, realUnleash } from '../support/unleash.js';
import { launchChromium, skipWithoutChromium, type HeadlessChromium } from '../support/chromium.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');

/** The same page in two engines, in an app layout of its own (a header the bundled page does not have). */
const PAGES = {
  ejs: `<!DOCTYPE html>
<html lang="<%= lang %>"><head><meta charset="utf-8"><title><%= title %></title><link rel="icon" href="data:,"></head>
<body><header class="app-layout"><%= product %></header><main><h1 data-engine="ejs"><%= title %></h1><p><%= message %></p></main></body></html>`,
  pug: `doctype html
html(lang=lang)
  head
    meta(charset='utf-8')
    title= title
    link(rel='icon' href='data:,')
  body
    header.app-layout= product
    main
      h1(data-engine='pug')= title
      p= message
`,
};

/**
 * The page rendered through koa-views in Chromium, with no Unleash server: a bootstrap-fed client holds the
 * flag on. One app per engine, each on loopback.
 */
describe('browser: the maintenance page in the app\'s engine through koa-views', function () {
  this.timeout(30_000);
  let browser: HeadlessChromium | undefined;
  let views: string;
  const servers: Server[] = [];

  before(async function () {
    skipWithoutChromium(this);
    views = mkdtempSync(join(tmpdir(), 'kum-browser-views-'));
    writeFileSync(join(views, 'maintenance.ejs'), PAGES.ejs);
    writeFileSync(join(views, 'maintenance.pug'), PAGES.pug);
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  });

  after(async function () {
    await browser?.close();
    for (const server of servers) server.close();
    await destroyUnleashClients();
    if (views) rmSync(views, { recursive: true, force: true });
  });

  async function listen(extension: 'ejs' | 'pug'): Promise<string> {
    const app = new Koa();
    app.use(maintenance({ unleash: await realUnleash([flag(true)]), logger: { warn() {}, error() {} }, views: { dir: views, extension }, locals: { product: 'Shop' } }));
    app.use((ctx) => {
      ctx.body = 'route';
    });
    const server = app.listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  for (const [engine, language, title] of [['ejs', 'de', 'Wartungsarbeiten'], ['pug', 'fr', 'Maintenance en cours']] as const) {
    it(`shows the ${engine} page, in the app's layout and the browser's language, with a 503 and no console error`, async () => {
      const url = await listen(engine);
      const context = (browser as HeadlessChromium).context;
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' && !/status of 503/.test(message.text())) errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      // The profile's locale is en-US; this page's requests ask for another language, as a visitor's browser would.
      await page.route('**/*', (route) => route.continue({ headers: { ...route.request().headers(), 'accept-language': language } }));
      try {
        const response = await page.goto(`${url}/orders`, { waitUntil: 'load' });
        expect(response?.status()).to.equal(503);
        expect(response?.headers()['content-type']).to.equal('text/html; charset=utf-8');
        expect(await page.title()).to.equal(title);
        expect(await page.getAttribute('html', 'lang')).to.equal(language);
        expect(await page.getAttribute('h1', 'data-engine')).to.equal(engine);
        expect((await page.locator('h1').innerText()).trim()).to.equal(title);
        expect((await page.locator('header.app-layout').innerText()).trim()).to.equal('Shop');
        expect(await page.locator('main p').isVisible()).to.equal(true);
        expect(errors).to.deep.equal([]);
        await page.screenshot({ path: join(ARTIFACTS, `maintenance-page-koa-views-${engine}.png`), fullPage: true });
      } finally {
        await page.close();
      }
    });
  }
});
