import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Koa from 'koa';
import request from 'supertest';
import type { Unleash } from 'unleash-client';
import type { MaintenancePayload } from '../../src/flag/payload.js';
import type { MaintenanceOptions } from '../../src/index.js';
import { createPageRenderer } from '../../src/middleware/page.js';
import { createPayloadParser } from '../../src/middleware/payload-parser.js';
import { createResponder, timingOf } from '../../src/middleware/respond.js';
import { BUNDLED_VIEWS } from '../../src/views.js';
import { appWith } from '../support/app.js';
import { destroyUnleashClients, flag, flagWithPayload, realUnleash } from '../support/unleash.js';

describe('the 503 answer', () => {
  let on: Unleash;
  before(async () => {
    on = await realUnleash([flag(true)]);
  });
  after(destroyUnleashClients);

  const serve = (options: Partial<MaintenanceOptions> = {}, unleash = on) => request(appWith({ unleash, ...options }).callback());

  describe('headers', () => {
    it('is a 503 that no cache keeps, varying on Accept and Accept-Language', async () => {
      const reply = await serve().get('/');
      expect(reply.status).to.equal(503);
      expect(reply.headers['cache-control']).to.equal('no-store');
      expect(reply.headers.vary).to.equal('Accept, Accept-Language');
      expect(reply.headers).not.to.have.property('retry-after');
    });

    it('sends Retry-After in seconds from the option', async () => {
      expect((await serve({ retryAfter: 120 }).get('/')).headers['retry-after']).to.equal('120');
      expect((await serve({ retryAfter: 0 }).get('/')).headers['retry-after']).to.equal('0');
    });

    it('sends Retry-After as an HTTP date from a Date option, and shows it as the expected end', async () => {
      const until = new Date('2031-05-04T10:30:00Z');
      const reply = await serve({ retryAfter: until }).get('/').set('Accept', 'application/json');
      expect(reply.headers['retry-after']).to.equal('Sun, 04 May 2031 10:30:00 GMT');
      expect(reply.body.until).to.equal('2031-05-04T10:30:00.000Z');
    });

    it('adds to a Vary header set before it rather than replacing it', async () => {
      const app = appWith({ unleash: on });
      app.middleware.unshift(async (ctx, next) => {
        ctx.vary('Origin');
        await next();
      });
      expect((await request(app.callback()).get('/')).headers.vary).to.equal('Origin, Accept, Accept-Language');
    });
  });

  describe('content negotiation', () => {
    const html = /^text\/html; charset=utf-8$/;
    const problem = /^application\/problem\+json; charset=utf-8$/;
    const text = /^text\/plain; charset=utf-8$/;
    const table: [accept: string | undefined, type: RegExp][] = [
      [undefined, html],
      ['*/*', html],
      ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', html],
      ['application/json', problem],
      ['application/problem+json', problem],
      ['application/json, text/plain, */*', problem],
      ['text/plain', text],
      ['image/png', text],
    ];
    for (const [accept, type] of table) {
      it(`answers Accept ${accept ?? '(none)'} with ${type.source}`, async () => {
        const req = serve().get('/');
        if (accept !== undefined) req.set('Accept', accept);
        const reply = await req;
        expect(reply.status).to.equal(503);
        expect(reply.headers['content-type']).to.match(type);
      });
    }

    it('gives API clients an RFC 9457 problem document', async () => {
      const reply = await serve({ retryAfter: 30 }).get('/api/orders').set('Accept', 'application/json');
      expect(reply.body).to.deep.equal({
        type: 'https://www.rfc-editor.org/rfc/rfc9110#status.503',
        title: 'Down for maintenance',
        status: 503,
        detail: 'We are making some improvements and will be back shortly. Thank you for your patience.',
        retryAfter: 30,
      });
    });

    it('skips negotiation for an Accept or Accept-Language over 1 kB (its parsing grows faster than it), answering with the defaults', async () => {
      const padded = (value: string, length: number) => `${value}${', x/y;q=0.1'.repeat(Math.ceil(length / 11))}`.slice(0, length);
      const near = await serve().get('/').set('Accept', padded('application/json', 1_000)).set('Accept-Language', padded('de', 1_000));
      expect(near.headers['content-type'], 'up to 1 kB is negotiated').to.match(problem);
      expect(near.headers['content-language']).to.equal('de');
      const over = await serve().get('/').set('Accept', padded('application/json', 1_100)).set('Accept-Language', padded('de', 1_100));
      expect(over.status).to.equal(503);
      expect(over.headers['content-type']).to.match(html);
      expect(over.headers['content-language']).to.equal('en');
      const commas = await serve().get('/').set('Accept', `"${','.repeat(15_000)}`);
      expect(commas.status).to.equal(503);
      expect(commas.headers['content-type']).to.match(html);
    });

    it('answers HEAD with the headers and no body', async () => {
      const reply = await serve({ retryAfter: 5 }).head('/');
      expect(reply.status).to.equal(503);
      expect(reply.headers['content-type']).to.match(html);
      expect(reply.headers['retry-after']).to.equal('5');
      expect(reply.text).to.equal(undefined);
    });
  });

  describe('the bundled page', () => {
    it('is a complete HTML5 page with a title, one h1 and the message, loading nothing from anywhere', async () => {
      const page = (await serve().get('/')).text;
      expect(page).to.match(/^<!DOCTYPE html><html lang="en">/);
      expect(page).to.contain('<title>Down for maintenance</title>');
      expect(page.match(/<h1>/g)).to.have.length(1);
      expect(page).to.contain('<meta name="viewport"');
      expect(page).to.contain('prefers-color-scheme: dark');
      expect(page).not.to.match(/<script|src=|url\(|@import/i);
      expect(page.match(/<link[^>]*>/g), 'only the empty data: icon, which spares a /favicon.ico request').to.deep.equal(['<link rel="icon" href="data:,">']);
    });

    it('shows the expected end as a <time> when it is known', async () => {
      const page = (await serve({ retryAfter: new Date('2031-05-04T10:30:00Z') }).get('/')).text;
      expect(page).to.contain('<time datetime="2031-05-04T10:30:00.000Z">Sunday, May 4, 2031 at 10:30 AM UTC</time>');
    });

    it('passes locals to the template, and payload texts win over them', async () => {
      const views = mkdtempSync(join(tmpdir(), 'kum-views-'));
      writeFileSync(join(views, 'down.pug'), 'h1= title\np= message\np= product');
      const unleash = await realUnleash([flagWithPayload({ message: 'Migrating orders' })]);
      const page = (await serve({ views, view: 'down', locals: { product: 'Shop', title: 'Shop is resting', message: 'from locals' } }, unleash).get('/')).text;
      expect(page).to.equal('<h1>Shop is resting</h1><p>Migrating orders</p><p>Shop</p>');
      rmSync(views, { recursive: true });
    });

    it('renders the default page at start-up, so the first blocked request does not compile Pug', async () => {
      const views = mkdtempSync(join(tmpdir(), 'kum-views-'));
      const counter = `kumWarm${Date.now()}`;
      writeFileSync(join(views, 'maintenance.pug'), `- globalThis.${counter} = (globalThis.${counter} || 0) + 1\np= message`);
      const app = serve({ views });
      const rendered = () => (globalThis as Record<string, unknown>)[counter];
      const deadline = Date.now() + 5000;
      while (rendered() === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(rendered(), 'rendered before any request').to.equal(1);
      expect((await app.get('/')).status).to.equal(503);
      expect(rendered(), 'the request used the page rendered ahead').to.equal(1);
      rmSync(views, { recursive: true });
    });

    it('calls locals(ctx) for every request when locals is a function', async () => {
      const views = mkdtempSync(join(tmpdir(), 'kum-views-'));
      writeFileSync(join(views, 'maintenance.pug'), 'p= path');
      const app = serve({ views, locals: (ctx) => ({ path: ctx.path }) });
      expect((await app.get('/one')).text).to.equal('<p>/one</p>');
      expect((await app.get('/two')).text).to.equal('<p>/two</p>');
      rmSync(views, { recursive: true });
    });

    it('renders each distinct page once, not once per request', async () => {
      const views = mkdtempSync(join(tmpdir(), 'kum-views-'));
      const counter = `kumRenders${Date.now()}`;
      writeFileSync(join(views, 'maintenance.pug'), `- globalThis.${counter} = (globalThis.${counter} || 0) + 1\np= message`);
      const app = serve({ views });
      for (let i = 0; i < 5; i += 1) expect((await app.get('/')).status).to.equal(503);
      expect((globalThis as Record<string, unknown>)[counter]).to.equal(1);
      rmSync(views, { recursive: true });
    });
  });

  describe('when the page cannot be rendered', () => {
    it('answers a plain-text 503 for a template that throws, and reports the error', async () => {
      const views = mkdtempSync(join(tmpdir(), 'kum-views-'));
      writeFileSync(join(views, 'maintenance.pug'), 'p= missing.property');
      const errors: string[] = [];
      const app = request(appWith({ unleash: on, views, logger: { warn() {}, error: (line) => errors.push(line) } }).callback());
      const reply = await app.get('/');
      expect(reply.status).to.equal(503);
      expect(reply.headers['content-type']).to.match(/^text\/plain/);
      expect(reply.text).to.contain('Down for maintenance');
      expect(errors).to.have.length(1);
      expect(errors[0]).to.contain('rendering the maintenance page "maintenance" failed');
      rmSync(views, { recursive: true });
    });

    it('answers a plain-text 503 for a template that does not compile, and reports it', async () => {
      const views = mkdtempSync(join(tmpdir(), 'kum-views-'));
      writeFileSync(join(views, 'maintenance.pug'), 'p(unclosed= "attribute"\n');
      const errors: string[] = [];
      const app = request(appWith({ unleash: on, views, logger: { warn() {}, error: (line) => errors.push(line) } }).callback());
      const reply = await app.get('/');
      expect(reply.status).to.equal(503);
      expect(reply.headers['content-type']).to.match(/^text\/plain/);
      expect(errors).to.have.length(1);
      rmSync(views, { recursive: true });
    });

    it('keeps answering with the page compiled at start-up when the template is deleted afterwards', async () => {
      const views = mkdtempSync(join(tmpdir(), 'kum-views-'));
      writeFileSync(join(views, 'maintenance.pug'), 'p ok');
      const app = request(appWith({ unleash: on, views }).callback());
      rmSync(views, { recursive: true });
      const reply = await app.get('/');
      expect(reply.status).to.equal(503);
      expect(reply.text).to.equal('<p>ok</p>');
    });
  });
});

const HOUR = 3_600_000;
const NOW = Date.parse('2030-06-01T12:00:00Z');

describe('an until that has passed', () => {
  describe('timingOf', () => {
    const until = new Date(NOW + HOUR);
    it('keeps an end still ahead, and ignores one at or before now like any unusable field', () => {
      expect(timingOf({ until }, undefined, NOW)).to.deep.equal({ until });
      expect(timingOf({ until }, undefined, until.getTime())).to.deep.equal({});
      expect(timingOf({ until: new Date('0000-01-01T00:00:00Z') }, undefined, NOW)).to.deep.equal({});
    });

    it('lets the retryAfter option speak when the payload\'s end has passed, and ignores a Date option in the past', () => {
      expect(timingOf({ until }, 600, NOW)).to.deep.equal({ until });
      expect(timingOf({ until }, 600, NOW + 2 * HOUR)).to.deep.equal({ retryAfter: 600 });
      expect(timingOf({ until }, new Date(NOW + 3 * HOUR), NOW + 2 * HOUR)).to.deep.equal({ until: new Date(NOW + 3 * HOUR) });
      expect(timingOf({}, new Date(NOW - HOUR), NOW)).to.deep.equal({});
      expect(timingOf({ retryAfter: 30, until }, undefined, NOW + 2 * HOUR)).to.deep.equal({ retryAfter: 30 });
    });
  });

  describe('the 503 of a payload kept from before its end', () => {
    let time = NOW;
    const parse = createPayloadParser(() => {});
    const payload: MaintenancePayload = parse({ type: 'json', value: JSON.stringify({ until: new Date(NOW + HOUR).toISOString() }) });
    const responder = createResponder({
      page: createPageRenderer(join(BUNDLED_VIEWS, 'maintenance.pug')),
      view: 'maintenance',
      locals: undefined,
      retryAfter: undefined,
      refresh: undefined,
      languages: ['en'],
      report: () => {},
      now: () => time,
    });
    const app = new Koa();
    app.use((ctx) => responder.respond(ctx, parse({ type: 'json', value: JSON.stringify({ until: new Date(NOW + HOUR).toISOString() }) }), 'block'));
    const get = (accept: string) => request(app.callback()).get('/').set('Accept', accept);

    it('is the same parsed payload object throughout (the answers are cached per payload)', () => {
      expect(parse({ type: 'json', value: JSON.stringify({ until: new Date(NOW + HOUR).toISOString() }) })).to.equal(payload);
    });

    it('states the end while it is ahead, and no longer once it has passed, in every format', async () => {
      time = NOW;
      const before = await get('application/json');
      expect(before.headers['retry-after']).to.equal(new Date(NOW + HOUR).toUTCString());
      expect(before.body.until).to.equal(new Date(NOW + HOUR).toISOString());
      expect((await get('text/html')).text).to.include('<time');
      const textBefore = (await get('text/plain')).text;

      time = NOW + HOUR;
      const after = await get('application/json');
      expect(after.headers).not.to.have.property('retry-after');
      expect(after.body).not.to.have.property('until');
      expect((await get('text/html')).text).not.to.include('<time');
      expect((await get('text/plain')).text).to.equal(textBefore.split('\n\n').slice(0, 2).join('\n\n').concat('\n'));
    });
  });
});
