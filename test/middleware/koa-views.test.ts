import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Koa2 from 'koa2';
import Koa3 from 'koa';
import request from 'supertest';
import type { Unleash } from 'unleash-client';
import { maintenance, type MaintenanceOptions } from '../../src/index.js';
import { destroyUnleashClients, flag, flagWithPayload, realUnleash } from '../support/unleash.js';

/** A page that says which engine rendered it, with the texts and the app's locals. */
const EJS_PAGE = '<!DOCTYPE html><html lang="<%= lang %>"><title><%= title %></title><h1 data-engine="ejs"><%= title %></h1><p><%= message %></p><p class="product"><%= product %></p></html>';
const PUG_PAGE = 'doctype html\nhtml(lang=lang)\n  title= title\n  h1(data-engine="pug")= title\n  p= message\n  p.product= product\n';

function viewsFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kum-koa-views-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A global counter the template bumps: how many times the engine rendered it. */
function counter(): { name: string; read: () => number } {
  const name = `kumRenders${Math.random().toString(36).slice(2)}`;
  return { name, read: () => Number((globalThis as Record<string, unknown>)[name] ?? 0) };
}

const quiet = { warn() {}, error() {} };
const waitForRenders = async (read: () => number, atLeast: number) => {
  const deadline = Date.now() + 5_000;
  while (read() < atLeast && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
};

for (const [name, Koa] of [['Koa 2', Koa2], ['Koa 3', Koa3]] as const) {
  describe(`views through koa-views, on ${name}`, () => {
    let on: Unleash;
    const folders: string[] = [];
    before(async () => {
      on = await realUnleash([flag(true)]);
    });
    after(async () => {
      await destroyUnleashClients();
      for (const dir of folders) rmSync(dir, { recursive: true, force: true });
    });

    function serve(options: Partial<MaintenanceOptions>, unleash = on) {
      const app = new Koa();
      app.use(maintenance({ unleash, logger: quiet, ...options }));
      app.use((ctx) => {
        ctx.body = 'route';
      });
      return request(app.callback());
    }
    const folder = (files: Record<string, string>) => {
      const dir = viewsFolder(files);
      folders.push(dir);
      return dir;
    };

    for (const [engine, extension, page] of [['ejs', 'ejs', EJS_PAGE], ['pug', 'pug', PUG_PAGE]] as const) {
      it(`renders views/maintenance.${extension} with ${engine}, with the 503 contract, the texts in the negotiated language and the locals`, async () => {
        const dir = folder({ [`maintenance.${extension}`]: page });
        const app = serve({ views: { dir, extension }, locals: { product: 'Shop' }, retryAfter: 60 });
        const reply = await app.get('/').set('Accept', 'text/html').set('Accept-Language', 'de');
        expect(reply.status).to.equal(503);
        expect(reply.headers).to.include({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '60', 'content-language': 'de', 'x-content-type-options': 'nosniff' });
        expect(reply.text).to.match(/^<!DOCTYPE html><html lang="de">/);
        expect(reply.text).to.contain(`<h1 data-engine="${engine}">Wartungsarbeiten</h1>`);
        expect(reply.text).to.contain('<p class="product">Shop</p>');
        const json = await app.get('/').set('Accept', 'application/json');
        expect(json.body.title).to.equal('Down for maintenance');
      });
    }

    it('lets payload texts win over locals, escaped by the engine', async () => {
      const dir = folder({ 'maintenance.ejs': EJS_PAGE });
      const unleash = await realUnleash([flagWithPayload({ title: 'Back <soon>', message: 'Migrating orders' })]);
      const text = (await serve({ views: { dir, extension: 'ejs' }, locals: { product: 'Shop', message: 'from locals' } }, unleash).get('/')).text;
      expect(text).to.contain('<h1 data-engine="ejs">Back &lt;soon&gt;</h1><p>Migrating orders</p>');
    });

    it('maps an extension to an engine and passes the engine its options, as koa-views does', async () => {
      const dir = folder({ 'down.html': '<h1><%= title %></h1><p><%= brand %></p>' });
      const text = (await serve({ views: { dir, map: { html: 'ejs' }, options: { brand: 'ACME' } }, view: 'down' }).get('/')).text;
      expect(text).to.equal('<h1>Down for maintenance</h1><p>ACME</p>');
    });

    it('renders the default page at start-up, and each distinct page once however many requests meet it at the same time', async () => {
      const renders = counter();
      const dir = folder({ 'maintenance.ejs': `<% globalThis.${renders.name} = (globalThis.${renders.name} || 0) + 1 %><p><%= lang %></p>` });
      const app = serve({ views: { dir, extension: 'ejs' } });
      await waitForRenders(renders.read, 1);
      expect(renders.read(), 'rendered before any request').to.equal(1);
      for (let i = 0; i < 3; i += 1) expect((await app.get('/')).text).to.equal('<p>en</p>');
      expect(renders.read(), 'the requests used the page rendered at start-up').to.equal(1);
      const french = await Promise.all(Array.from({ length: 8 }, () => app.get('/').set('Accept-Language', 'fr')));
      expect(french.map((reply) => reply.text)).to.deep.equal(Array(8).fill('<p>fr</p>'));
      expect(renders.read(), 'eight requests at once on a page not yet rendered: one render').to.equal(2);
    });

    it('renders per request with locals(ctx), awaited, and hands the template ctx.state as koa-views does', async () => {
      const renders = counter();
      const dir = folder({ 'maintenance.ejs': `<% globalThis.${renders.name} = (globalThis.${renders.name} || 0) + 1 %><p><%= path %> <%= maintenance.reason %> <%= user %></p>` });
      const app = new Koa();
      app.use(async (ctx, next) => {
        ctx.state.user = 'ada';
        await next();
      });
      app.use(maintenance({ unleash: on, logger: quiet, views: { dir, extension: 'ejs' }, locals: (ctx) => ({ path: ctx.path }) }));
      expect((await request(app.callback()).get('/one')).text).to.equal('<p>/one blocked ada</p>');
      expect((await request(app.callback()).get('/two')).text).to.equal('<p>/two blocked ada</p>');
      expect(renders.read()).to.equal(2);
    });

    it('renders with its own koa-views, not with a ctx.render the app mounted for its own folder', async () => {
      const { default: views } = await import('koa-views');
      const own = folder({ 'maintenance.ejs': '<p>the app\'s own page</p>' });
      const dir = folder({ 'maintenance.ejs': '<p>the maintenance page</p>' });
      for (const locals of [undefined, () => ({})]) {
        const app = new Koa();
        app.use(views(own, { extension: 'ejs' }));
        app.use(maintenance({ unleash: on, logger: quiet, views: { dir, extension: 'ejs' }, locals }));
        expect((await request(app.callback()).get('/')).text).to.equal('<p>the maintenance page</p>');
      }
    });

    describe('when the engine fails', () => {
      for (const [what, locals] of [['static locals', undefined], ['locals(ctx)', () => ({})]] as const) {
        it(`answers the plain-text 503, never a 500 nor the route, and reports it once (${what})`, async () => {
          const dir = folder({ 'maintenance.ejs': '<p><%= missing.property %></p>' });
          const errors: string[] = [];
          const app = new Koa();
          app.use(maintenance({ unleash: on, logger: { warn() {}, error: (line) => errors.push(line) }, views: { dir, extension: 'ejs' }, locals }));
          app.use((ctx) => {
            ctx.body = 'route';
          });
          const replies = await Promise.all(Array.from({ length: 4 }, () => request(app.callback()).get('/')));
          for (const reply of replies) {
            expect(reply.status).to.equal(503);
            expect(reply.headers['content-type']).to.equal('text/plain; charset=utf-8');
            expect(reply.headers['cache-control']).to.equal('no-store');
            expect(reply.text).to.contain('Down for maintenance');
          }
          expect(errors).to.have.length(1);
          expect(errors[0]).to.contain('rendering the maintenance page "maintenance" failed');
        });
      }

      it('renders again on the next request, so a fixed template is picked up', async () => {
        const dir = folder({ 'maintenance.ejs': '<p><%= missing.property %></p>' });
        const app = serve({ views: { dir, extension: 'ejs' } });
        expect((await app.get('/')).headers['content-type']).to.match(/^text\/plain/);
        writeFileSync(join(dir, 'maintenance.ejs'), '<p>fixed</p>');
        expect((await app.get('/')).text).to.equal('<p>fixed</p>');
      });

      it('answers in plain text when the engine is not installed', async () => {
        const dir = folder({ 'maintenance.hbs': '<p>{{title}}</p>' });
        const errors: string[] = [];
        const app = new Koa();
        app.use(maintenance({ unleash: on, logger: { warn() {}, error: (line) => errors.push(line) }, views: { dir, extension: 'hbs', map: { hbs: 'handlebars' } } }));
        const reply = await request(app.callback()).get('/');
        expect(reply.status).to.equal(503);
        expect(reply.headers['content-type']).to.match(/^text\/plain/);
        expect(errors).to.have.length(1);
      });
    });
  });
}

describe('views as a koa-views object: checked at start-up', () => {
  const dir = viewsFolder({ 'maintenance.ejs': '<p><%= title %></p>', 'maintenance.html': '<p>static</p>' });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const unleash = { isEnabled: () => false, getVariant: () => ({ name: 'disabled', enabled: false }) };
  const build = (views: unknown, view?: string) => () => maintenance({ unleash, views, view } as MaintenanceOptions);

  const table: [string, unknown, RegExp][] = [
    ['an unknown key', { dir, extension: 'ejs', autoRender: false }, /^maintenance\(\): views\.autoRender false is not a views option \(known: dir, extension, map, options, engineSource\)$/],
    ['no dir', { extension: 'ejs' }, /^maintenance\(\): views\.dir undefined is not a non-empty string$/],
    ['a dir that is not a folder', { dir: '/no/such/folder', extension: 'ejs' }, /^maintenance\(\): views\.dir "\/no\/such\/folder" is not a folder$/],
    ['an extension with its dot', { dir, extension: '.ejs' }, /^maintenance\(\): views\.extension "\.ejs" is not a file extension without its dot/],
    ['html (koa-views\' default) without a map: a static file, without the texts', { dir }, /^maintenance\(\): views\.extension "html" without views\.map has koa-views send the file as it is/],
    ['a map that is not extension → engine', { dir, extension: 'ejs', map: { ejs: 1 } }, /^maintenance\(\): views\.map an object is not an object of extension → engine name$/],
    ['options that are not an object', { dir, extension: 'ejs', options: 'x' }, /^maintenance\(\): views\.options "x" is not an object$/],
    ['an engineSource of something else than functions', { dir, extension: 'ejs', engineSource: { ejs: 'x' } }, /^maintenance\(\): views\.engineSource an object is not an object of engine functions$/],
    ['an array', [dir], /^maintenance\(\): views an array is not a folder \(a non-empty string\) nor an object/],
  ];
  for (const [what, views, error] of table) {
    it(`rejects ${what}`, () => {
      expect(build(views)).to.throw(TypeError, error);
    });
  }

  it('needs <dir>/<view>.<extension>', () => {
    expect(build({ dir, extension: 'ejs' }, 'closed')).to.throw(TypeError, /^maintenance\(\): view "closed" has no template: .*closed\.ejs does not exist$/);
    expect(build({ dir, extension: 'ejs' })).not.to.throw();
    expect(build({ dir, map: { html: 'ejs' } })).not.to.throw();
  });

  it('takes a dir relative to the working directory', () => {
    expect(build({ dir: join('test', '..', 'views'), extension: 'pug' })).not.to.throw();
  });
});
