import { expect } from 'chai';
import request from 'supertest';
import type { Unleash } from 'unleash-client';
import { maintenance, type MaintenanceOptions } from '../../src/index.js';
import { appWith } from '../support/app.js';
import { destroyUnleashClients, flag, flagWithPayload, realUnleash } from '../support/unleash.js';

const SAFE = ['get', 'head', 'options'] as const;
const UNSAFE = ['post', 'put', 'patch', 'delete'] as const;

describe('mode: read-only maintenance', () => {
  let on: Unleash;
  let off: Unleash;
  let payloadReadOnly: Unleash;
  let payloadBlock: Unleash;
  let payloadBadMode: Unleash;
  before(async () => {
    [on, off, payloadReadOnly, payloadBlock, payloadBadMode] = await Promise.all([
      realUnleash([flag(true)]),
      realUnleash([flag(false)]),
      realUnleash([flagWithPayload({ mode: 'read-only', message: 'Orders are paused while we move the database.' })]),
      realUnleash([flagWithPayload({ mode: 'block' })]),
      realUnleash([flagWithPayload({ mode: 'readonly', title: 'Still a title' })]),
    ]);
  });
  after(destroyUnleashClients);

  const serve = (unleash: Unleash, extra: Partial<MaintenanceOptions> = {}) => request(appWith({ unleash, ...extra }).callback());

  describe('with the option', () => {
    it('lets GET, HEAD and OPTIONS through, recording reason read-only and the mode', async () => {
      for (const method of SAFE) {
        const reply = await serve(on, { mode: 'read-only' })[method]('/products');
        expect(reply.status, method).to.equal(200);
        if (method === 'get') {
          expect(reply.body.maintenance).to.deep.equal({ active: true, reason: 'read-only', clientIp: '127.0.0.1', mode: 'read-only' });
        }
      }
    });

    it('answers POST, PUT, PATCH and DELETE with a 503 that says the site is read-only', async () => {
      for (const method of UNSAFE) {
        const reply = await serve(on, { mode: 'read-only' })[method]('/products/7').set('Accept', 'application/json');
        expect(reply.status, method).to.equal(503);
        expect(reply.headers['content-type'], method).to.equal('application/problem+json; charset=utf-8');
        expect(reply.body, method).to.deep.equal({
          type: 'https://www.rfc-editor.org/rfc/rfc9110#status.503',
          title: 'Read-only during maintenance',
          status: 503,
          detail: 'We are doing some maintenance, so the site is read-only for now: you can look around, but changes cannot be saved. Please try again shortly.',
          mode: 'read-only',
        });
        expect(reply.headers['cache-control'], method).to.equal('no-store');
      }
    });

    it('says so on the page and in plain text too, and in the visitor\'s language', async () => {
      const page = await serve(on, { mode: 'read-only' }).post('/form').set('Accept', 'text/html');
      expect(page.status).to.equal(503);
      expect(page.text).to.contain('<title>Read-only during maintenance</title>').and.contain('the site is read-only for now');
      const text = await serve(on, { mode: 'read-only' }).post('/form').set('Accept', 'text/plain');
      expect(text.text).to.match(/^Read-only during maintenance\n\nWe are doing some maintenance, so the site is read-only/);
      const german = await serve(on, { mode: 'read-only' }).post('/form').set('Accept', 'application/json').set('Accept-Language', 'de');
      expect(german.body.title).to.equal('Wegen Wartungsarbeiten nur lesbar');
      expect(german.body.detail).to.contain('schreibgeschützt');
    });

    it('blocks every method in the default block mode, recording mode block', async () => {
      for (const method of ['get', 'post'] as const) {
        expect((await serve(on)[method]('/')).status, method).to.equal(503);
      }
      const app = appWith({ unleash: on, allowedUrls: ['^/status$'] });
      expect((await request(app.callback()).get('/status')).body.maintenance).to.include({ reason: 'allowed-url', mode: 'block' });
      const problem = await serve(on).post('/').set('Accept', 'application/json');
      expect(problem.body).not.to.have.property('mode');
      expect(problem.body.title).to.equal('Down for maintenance');
    });

    it('exposes the mode on every decision while on, and none while off', async () => {
      expect((await serve(on, { mode: 'read-only', bypassIps: ['loopback'] }).post('/')).body.maintenance).to.include({ reason: 'bypass-ip', mode: 'read-only' });
      expect((await serve(on, { mode: 'read-only' }).get('/healthz')).body.maintenance).to.include({ reason: 'health', mode: 'read-only' });
      const offState = (await serve(off, { mode: 'read-only' }).post('/')).body.maintenance;
      expect(offState).to.deep.equal({ active: false, reason: 'off' });
    });

    it('records blocked with the mode for the unsafe request, before answering', async () => {
      const decisions: unknown[] = [];
      const app = appWith({ unleash: on, mode: 'read-only', onDecision: (_ctx, decision) => decisions.push(decision) });
      await request(app.callback()).delete('/x');
      expect(decisions).to.deep.equal([{ active: true, reason: 'blocked', clientIp: '127.0.0.1', mode: 'read-only' }]);
    });

    it('refuses a mode it does not know at start', () => {
      expect(() => maintenance({ unleash: on, mode: 'readonly' as never })).to.throw(TypeError, /^maintenance\(\): mode "readonly" is not 'block', 'read-only' or 'pause'$/);
    });
  });

  describe('from the variant payload', () => {
    it('turns a window read-only: reads pass, writes get the payload message', async () => {
      expect((await serve(payloadReadOnly).get('/')).body.maintenance).to.include({ reason: 'read-only', mode: 'read-only' });
      const write = await serve(payloadReadOnly).post('/orders').set('Accept', 'application/json');
      expect(write.status).to.equal(503);
      expect(write.body).to.include({ title: 'Read-only during maintenance', detail: 'Orders are paused while we move the database.', mode: 'read-only' });
    });

    it('wins over the option in both directions', async () => {
      expect((await serve(payloadBlock, { mode: 'read-only' }).get('/')).status).to.equal(503);
      expect((await serve(payloadReadOnly, { mode: 'block' }).get('/')).status).to.equal(200);
    });

    it('is ignored, with a warning naming it, when it is not block, read-only or pause', async () => {
      const warnings: string[] = [];
      const app = appWith({ unleash: payloadBadMode, mode: 'block' });
      const logged = appWith({ unleash: payloadBadMode, logger: { warn: (line: string) => warnings.push(line), error() {} } });
      expect((await request(app.callback()).get('/')).status).to.equal(503);
      const reply = await request(logged.callback()).get('/').set('Accept', 'application/json');
      expect(reply.body.title, 'the valid fields still count').to.equal('Still a title');
      expect(warnings.join('\n')).to.match(/invalid variant payload fields: mode .*mode 'block', 'read-only' or 'pause'/);
    });
  });
});
