import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import Koa from 'koa';
import request from 'supertest';
import { InMemStorageProvider, Unleash } from 'unleash-client';
import { maintenance, type MaintenanceState } from '../src/index.js';
import { appWith } from './support/app.js';
import { listen, type Listening } from './support/http.js';
import { destroyUnleashClients, flag, type FlagDefinition, realUnleash } from './support/unleash.js';

describe('the maintenance middleware', () => {
  let on: Unleash;
  let off: Unleash;
  before(async () => {
    [on, off] = await Promise.all([realUnleash([flag(true)]), realUnleash([flag(false)])]);
  });
  after(destroyUnleashClients);

  describe('ctx.state.maintenance', () => {
    const stateFor = async (unleash: Unleash, options = {}, path = '/'): Promise<MaintenanceState> => {
      const reply = await request(appWith({ unleash, ...options }).callback()).get(path);
      return reply.body.maintenance;
    };

    it('records off, skipped, bypass-ip and allowed-url for requests it lets through', async () => {
      expect(await stateFor(off)).to.deep.equal({ active: false, reason: 'off' });
      expect(await stateFor(on, { skip: () => true })).to.deep.equal({ active: false, reason: 'skipped' });
      expect(await stateFor(on, { bypassIps: ['loopback'] })).to.deep.equal({ active: true, reason: 'bypass-ip', clientIp: '127.0.0.1', mode: 'block' });
      expect(await stateFor(on, { allowedUrls: ['^/status$'] }, '/status')).to.deep.equal({ active: true, reason: 'allowed-url', clientIp: '127.0.0.1', mode: 'block' });
    });

    it('records blocked before answering, where an upstream logger can read it', async () => {
      const app = new Koa();
      let seen: MaintenanceState | undefined;
      app.use(async (ctx, next) => {
        await next();
        seen = ctx.state.maintenance;
      });
      app.use(maintenance({ unleash: on }));
      await request(app.callback()).get('/');
      expect(seen).to.deep.equal({ active: true, reason: 'blocked', clientIp: '127.0.0.1', mode: 'block' });
    });
  });

  describe('skip', () => {
    it('is asked first: a skipped request never asks Unleash', async () => {
      let asked = 0;
      const counting = { isEnabled: () => ((asked += 1), true), getVariant: () => ({}) };
      const reply = await request(appWith({ unleash: counting, skip: (ctx) => ctx.get('x-debug') === '1' }).callback()).get('/').set('x-debug', '1');
      expect(reply.status).to.equal(200);
      expect(asked).to.equal(0);
    });

    it('treats a throwing skip as not skipped (the gate stays shut) and reports it', async () => {
      const errors: string[] = [];
      const app = appWith({ unleash: on, skip: () => { throw new Error('x'); }, logger: { warn() {}, error: (line) => errors.push(line) } });
      expect((await request(app.callback()).get('/')).status).to.equal(503);
      expect(errors[0]).to.contain('skip(ctx) option threw');
    });
  });

  describe('allowed URLs (raw path in normal form, real request targets)', () => {
    let server: Listening;
    before(async () => {
      server = await listen(appWith({ unleash: on, allowedUrls: [/^\/admin(\/|$)/, '^/healthz$'] }));
    });
    after(() => server.close());

    const table: [target: string, status: number][] = [
      ['/healthz', 200],
      ['/healthz?full=1', 200],
      ['/admin', 200],
      ['/admin/users', 200],
      ['/%61dmin/x', 503], // an encoded letter: a router sees `%61dmin`, not `admin`
      ['//admin', 503], // not in normal form: a router may read it differently, so no rule lets it through
      ['/./admin', 503],
      ['/admin/../private', 503],
      ['/admin/%2e%2e/private', 503],
      ['/admin%2F..%2Fprivate', 503],
      ['/admin\\..\\private', 503],
      ['/healthz/../orders', 503],
      ['/%E0%A4%A', 503],
      ['/admin/%E0%A4%A', 503],
      ['/administrator', 503],
      ['/?path=/healthz', 503],
      ['/private#/admin', 503],
    ];
    for (const [target, status] of table) {
      it(`${status === 200 ? 'lets through' : 'blocks'} ${target}`, async () => {
        expect((await server.send(target)).status).to.equal(status);
      });
    }
  });

  describe('answers let through by a bypass while maintenance is on', () => {
    const SECRET = 'k3J9-xQ2_vT7pL0mN5bR8cW1zY4aF6hD';
    /** A route that asks shared caches to keep its answer for five minutes. */
    function cacheableApp(unleash: Unleash): Koa {
      const app = new Koa();
      app.use(maintenance({ unleash, bypassIps: ['127.0.0.9'], bypassSecret: { secret: SECRET }, allowedUrls: ['^/public$'], logger: { warn() {}, error() {} } }));
      app.use((ctx) => {
        ctx.set('Cache-Control', 'public, max-age=300');
        ctx.vary('Accept-Encoding');
        ctx.body = 'the staff view';
      });
      return app;
    }

    it('leave with Cache-Control: private, no-store, whatever the app set, and Vary on what decided', async () => {
      const server = await listen(cacheableApp(on));
      try {
        const byIp = await server.send('/', { from: '127.0.0.9' });
        expect(byIp.status).to.equal(200);
        expect(byIp.headers['cache-control']).to.equal('private, no-store');
        const byHeader = await server.send('/', { headers: { 'x-maintenance-bypass': SECRET } });
        expect(byHeader.status).to.equal(200);
        expect(byHeader.headers['cache-control']).to.equal('private, no-store');
        expect(byHeader.headers.vary).to.equal('Accept-Encoding, x-maintenance-bypass');
        const link = await server.send(`/__maintenance/bypass/${SECRET}`);
        const cookie = String(link.headers['set-cookie']).split(';')[0]!;
        const byCookie = await server.send('/', { headers: { cookie } });
        expect(byCookie.status).to.equal(200);
        expect(byCookie.headers['cache-control']).to.equal('private, no-store');
        expect(byCookie.headers.vary).to.equal('Accept-Encoding, Cookie');
      } finally {
        await server.close();
      }
    });

    it('keep the app\'s caching while maintenance is off, and for rules everyone passes by', async () => {
      const offReply = await request(cacheableApp(off).callback()).get('/').set('x-maintenance-bypass', SECRET);
      expect(offReply.headers['cache-control']).to.equal('public, max-age=300');
      const allowed = await request(cacheableApp(on).callback()).get('/public');
      expect(allowed.headers['cache-control']).to.equal('public, max-age=300');
    });
  });

  describe('failing closed', () => {
    const reportingApp = (sabotage: (ctx: Koa.Context) => void, errors: string[]) => {
      const app = new Koa();
      app.use((ctx, next) => {
        sabotage(ctx);
        return next();
      });
      app.use(maintenance({ unleash: on, logger: { warn() {}, error: (line) => errors.push(line) } }));
      app.use((ctx) => {
        ctx.body = 'the route';
      });
      return request(app.callback());
    };

    it('answers the 503, never the route, when the gate\'s own code throws, and reports it once', async () => {
      const errors: string[] = [];
      const app = reportingApp((ctx) => {
        Object.defineProperty(ctx, 'state', { get: () => { throw new Error('a broken ctx.state'); } });
      }, errors);
      for (let i = 0; i < 3; i++) {
        const reply = await app.get('/').set('Accept', 'application/json');
        expect(reply.status).to.equal(503);
        expect(reply.headers['cache-control']).to.equal('no-store');
        expect(reply.body).to.include({ status: 503 });
      }
      expect(errors).to.have.length(1);
      expect(errors[0]).to.contain('deciding a request failed; it was answered with the 503');
    });

    it('answers a bare 503 when writing the maintenance answer throws', async () => {
      const errors: string[] = [];
      const app = reportingApp((ctx) => {
        ctx.set('X-Upstream', 'set before');
        ctx.accepts = () => {
          throw new Error('a broken ctx.accepts');
        };
      }, errors);
      const reply = await app.get('/');
      expect(reply.status).to.equal(503);
      expect(reply.text).to.equal('Service Unavailable\n');
      expect(reply.headers).to.include({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-type': 'text/plain; charset=utf-8' });
      expect(errors).to.have.length(1);
      expect(errors[0]).to.contain('writing the maintenance answer failed');
    });
  });

  describe('X-Content-Type-Options: nosniff', () => {
    it('is on every answer the middleware writes: the 503 in each format, the status JSON, the bypass link', async () => {
      const secret = 'k3J9-xQ2_vT7pL0mN5bR8cW1zY4aF6hD';
      const app = request(appWith({ unleash: on, statusPath: '/maintenance.json', bypassSecret: { secret } }).callback());
      const answers = [
        await app.get('/').set('Accept', 'text/html'),
        await app.get('/').set('Accept', 'application/json'),
        await app.get('/').set('Accept', 'text/plain'),
        await app.get('/maintenance.json'),
        await app.get(`/__maintenance/bypass/${secret}`),
      ];
      expect(answers.map((reply) => reply.status)).to.deep.equal([503, 503, 503, 200, 302]);
      for (const reply of answers) expect(reply.headers['x-content-type-options'], `${reply.status} ${reply.type}`).to.equal('nosniff');
    });
  });

  describe('onDecision', () => {
    it('sees every request that meets maintenance, and none while it is off', async () => {
      const decisions: string[] = [];
      const onDecision = (ctx: Koa.Context, decision: MaintenanceState) => decisions.push(`${ctx.path} ${decision.reason}`);
      const options = { onDecision, allowedUrls: ['^/ok$'] };
      await request(appWith({ unleash: on, ...options }).callback()).get('/ok');
      await request(appWith({ unleash: on, ...options }).callback()).get('/no');
      await request(appWith({ unleash: off, ...options }).callback()).get('/no');
      expect(decisions).to.deep.equal(['/ok allowed-url', '/no blocked']);
    });

    it('cannot break the answer by throwing', async () => {
      const app = appWith({ unleash: on, onDecision: () => { throw new Error('counter down'); } });
      expect((await request(app.callback()).get('/')).status).to.equal(503);
    });
  });
});

/** The one place a test must flip a flag while the app runs: a tiny server that plays Unleash's client API. */
describe('following the flag as Unleash changes it', () => {
  let features: FlagDefinition[] = [flag(false)];
  let server: Server;
  let unleash: Unleash;
  before(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ version: 2, features }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    unleash = new Unleash({
      url: `http://127.0.0.1:${port}/api`,
      appName: 'flip-test',
      refreshInterval: 50,
      disableMetrics: true,
      storageProvider: new InMemStorageProvider(),
    });
    unleash.on('error', () => {});
    await new Promise((resolve) => unleash.once('synchronized', resolve));
  });
  after(async () => {
    unleash.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  async function statusWithin(app: request.Agent, expected: number, deadlineMs = 3000): Promise<number> {
    const deadline = Date.now() + deadlineMs;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await app.get('/')).status;
      if (status === expected) return status;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return status;
  }

  it('blocks after the flag turns on and lets through after it turns off, without a restart', async () => {
    const app = request.agent(appWith({ unleash }).callback());
    expect((await app.get('/')).status).to.equal(200);
    features = [flag(true)];
    expect(await statusWithin(app, 503)).to.equal(503);
    features = [{ ...flag(true), strategies: [{ name: 'remoteAddress', parameters: { IPs: '10.0.0.1' } }] }];
    expect(await statusWithin(app, 200)).to.equal(200);
    features = [flag(true)];
    expect(await statusWithin(app, 503)).to.equal(503);
    features = [];
    expect(await statusWithin(app, 200)).to.equal(200);
  });
});
