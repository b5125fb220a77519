import { once } from 'node:events';
import { createServer, IncomingMessage, request as httpRequest, ServerResponse, type Server } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { expect } from 'chai';
import Koa from 'koa';
import type { Unleash } from 'unleash-client';
import { maintenance, type MaintenanceMiddleware, type MaintenanceOptions, type MaintenanceState } from '../../src/index.js';
import { startFeaturesServer, type FeaturesServer } from '../support/features-server.js';
import { destroyUnleashClients, FLAG, flagWithPayload, pollingUnleash, realUnleash } from '../support/unleash.js';

const POLL_MS = 50;

interface Site {
  gate: MaintenanceMiddleware;
  url: string;
  server: Server;
  /** The paths the app answered, in the order it saw them. */
  seen: string[];
  decisions: MaintenanceState[];
  close(): Promise<void>;
}

async function startSite(unleash: Unleash, options: Partial<MaintenanceOptions> = {}): Promise<Site> {
  const seen: string[] = [];
  const decisions: MaintenanceState[] = [];
  const gate = maintenance({
    unleash,
    mode: 'pause',
    bypassIps: ['127.0.0.9'],
    allowedUrls: [/^\/public\//],
    statusPath: '/maintenance.json',
    retryAfter: 30,
    onDecision: (_ctx, decision) => decisions.push(decision),
    ...options,
  });
  const app = new Koa();
  app.use(gate);
  app.use((ctx) => {
    seen.push(ctx.path);
    ctx.body = { path: ctx.path, maintenance: ctx.state.maintenance };
  });
  const server = createServer(app.callback());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    gate,
    url: `http://127.0.0.1:${port}`,
    server,
    seen,
    decisions,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Milliseconds from the request's start to its answer. */
  ms: number;
}

function get(url: string, options: { localAddress?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) expect.fail(`${what} within ${timeoutMs} ms`);
    await sleep(10);
  }
}

describe('mode: pause', function () {
  this.timeout(15_000);
  let features: FeaturesServer;
  let unleash: Unleash;
  const errors: unknown[] = [];
  const sites: Site[] = [];

  before(async function () {
    features = await startFeaturesServer();
    unleash = pollingUnleash(features.url, POLL_MS, errors);
    await once(unleash, 'synchronized');
  });

  afterEach(async function () {
    for (const site of sites.splice(0)) await site.close();
    await setMaintenance(false);
  });

  after(async function () {
    unleash.destroy();
    destroyUnleashClients();
    await features.close();
  });

  async function setMaintenance(on: boolean): Promise<void> {
    features.enabled = on;
    await until(() => unleash.isEnabled(FLAG) === on, 3_000, `the client to see maintenance ${on ? 'on' : 'off'}`);
  }

  async function site(options: Partial<MaintenanceOptions> = {}, client: Unleash = unleash): Promise<Site> {
    const started = await startSite(client, options);
    sites.push(started);
    return started;
  }

  it('holds requests while on and lets them on to the app in arrival order once it ends, each knowing how long it waited', async function () {
    const { url, seen, decisions } = await site();
    await setMaintenance(true);
    const answers: Promise<Answer>[] = [];
    for (const path of ['/1', '/2', '/3', '/4', '/5']) {
      answers.push(get(`${url}${path}`));
      await sleep(20);
    }
    await sleep(300);
    expect(seen, 'nothing reached the app while on').to.deep.equal([]);
    expect(decisions, 'nothing is decided while held').to.deep.equal([]);
    const off = performance.now();
    await setMaintenance(false);
    const replies = await Promise.all(answers);
    const released = performance.now() - off;
    expect(seen).to.deep.equal(['/1', '/2', '/3', '/4', '/5']);
    for (const reply of replies) {
      expect(reply.status).to.equal(200);
      const state = JSON.parse(reply.body).maintenance as MaintenanceState;
      expect(state).to.include({ active: false, reason: 'paused', clientIp: '127.0.0.1' });
      expect(state.pausedMs).to.be.within(300, 5_000);
    }
    expect(released, 'released as the client saw the flag off').to.be.below(1_000);
    expect(decisions.map((decision) => decision.reason)).to.deep.equal(['paused', 'paused', 'paused', 'paused', 'paused']);
    expect(unleash.listenerCount('changed'), 'no changed listener left').to.equal(0);
  });

  it('gives the 503 after maxPause: the block page, Retry-After, no-store, the decision blocked with its wait', async function () {
    const { url, seen, decisions } = await site({ maxPause: '1s' });
    await setMaintenance(true);
    const [page, problem] = await Promise.all([
      get(`${url}/`, { headers: { accept: 'text/html' } }),
      get(`${url}/api`, { headers: { accept: 'application/json' } }),
    ]);
    for (const reply of [page, problem]) {
      expect(reply.status).to.equal(503);
      expect(reply.ms).to.be.within(950, 2_500);
      expect(reply.headers['retry-after']).to.equal('30');
      expect(reply.headers['cache-control']).to.equal('no-store');
    }
    expect(page.body).to.contain('<title>Down for maintenance</title>');
    expect(JSON.parse(problem.body)).to.deep.include({ status: 503, title: 'Down for maintenance', retryAfter: 30 }).and.not.have.property('mode');
    expect(seen).to.deep.equal([]);
    expect(decisions).to.have.length(2);
    for (const decision of decisions) {
      expect(decision).to.include({ active: true, reason: 'blocked', mode: 'pause' });
      expect(decision.pausedMs).to.be.within(950, 2_500);
    }
  });

  it('holds at most maxHeld: past it, a request gets the 503 at once', async function () {
    const { url, decisions } = await site({ maxHeld: 2 });
    await setMaintenance(true);
    const answers = ['/1', '/2', '/3', '/4', '/5'].map((path) => get(`${url}${path}`));
    await until(() => decisions.length === 3, 2_000, 'three refused at once');
    expect(decisions.every((decision) => decision.reason === 'blocked' && decision.pausedMs === undefined)).to.equal(true);
    await setMaintenance(false);
    const statuses = (await Promise.all(answers)).map((reply) => reply.status).sort();
    expect(statuses).to.deep.equal([200, 200, 503, 503, 503]);
  });

  it('holds none with maxHeld 0: pause acts as block', async function () {
    const { url } = await site({ maxHeld: 0 });
    await setMaintenance(true);
    const reply = await get(`${url}/`);
    expect(reply.status).to.equal(503);
    expect(reply.ms).to.be.below(500);
  });

  it('lets bypasses, health paths, allowed URLs and the status endpoint through at once, as block mode does', async function () {
    const { url } = await site();
    await setMaintenance(true);
    const bypass = await get(`${url}/`, { localAddress: '127.0.0.9' });
    expect(bypass.status).to.equal(200);
    expect(JSON.parse(bypass.body).maintenance).to.include({ reason: 'bypass-ip', mode: 'pause' });
    expect((await get(`${url}/healthz`)).status).to.equal(200);
    expect(JSON.parse((await get(`${url}/public/x`)).body).maintenance).to.include({ reason: 'allowed-url', mode: 'pause' });
    const status = await get(`${url}/maintenance.json`);
    expect(JSON.parse(status.body)).to.include({ active: true, mode: 'pause' });
    for (const reply of [bypass, status]) expect(reply.ms).to.be.below(500);
  });

  it('never holds an upgrade: it gets the 503 at once', async function () {
    const { gate } = await site();
    await setMaintenance(true);
    const req = new IncomingMessage(new Socket());
    req.method = 'GET';
    req.url = '/ws';
    req.headers = { host: 'localhost', connection: 'Upgrade', upgrade: 'websocket' };
    const ctx = new Koa().createContext(req, new ServerResponse(req));
    let passed = false;
    await gate(ctx, async () => {
      passed = true;
    });
    expect(passed).to.equal(false);
    expect(ctx.status).to.equal(503);
    expect(gate.decide(req)).to.include({ reason: 'blocked', mode: 'pause' });
  });

  it('forgets a client that hangs up while held: the app never sees it, no listener stays', async function () {
    const { url, seen, decisions } = await site();
    await setMaintenance(true);
    const controller = new AbortController();
    const aborted = fetch(`${url}/gone`, { signal: controller.signal }).then(
      () => 'answered',
      () => 'aborted',
    );
    await sleep(200);
    expect(unleash.listenerCount('changed')).to.equal(1);
    controller.abort();
    expect(await aborted).to.equal('aborted');
    await until(() => decisions.length === 1, 1_000, 'the hang-up to be noticed');
    expect(decisions[0]).to.include({ reason: 'blocked', mode: 'pause' });
    expect(unleash.listenerCount('changed')).to.equal(0);
    await setMaintenance(false);
    await sleep(100);
    expect(seen).to.deep.equal([]);
  });

  it('reads mode pause and maxPause from the variant payload, over the options', async function () {
    const fromPayload = await realUnleash([flagWithPayload({ mode: 'pause', maxPause: 1 })]);
    const { url, decisions } = await site({ mode: 'block', maxPause: '30s' }, fromPayload);
    const reply = await get(`${url}/`, { headers: { accept: 'application/json' } });
    expect(reply.status).to.equal(503);
    expect(reply.ms).to.be.within(950, 2_500);
    expect(decisions[0]).to.include({ reason: 'blocked', mode: 'pause' });
  });

  it('never holds a request the gate failed to decide: the 503 at once', async function () {
    await setMaintenance(true);
    const errors: string[] = [];
    const app = new Koa();
    app.use((ctx, next) => {
      Object.defineProperty(ctx, 'state', { get: () => { throw new Error('a broken ctx.state'); } });
      return next();
    });
    app.use(maintenance({ unleash, mode: 'pause', logger: { warn() {}, error: (line) => errors.push(line) } }));
    const server = createServer(app.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const reply = await get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers: { accept: 'application/json' } });
      expect(reply.status).to.equal(503);
      expect(reply.ms).to.be.below(500);
      expect(errors.join('\n')).to.contain('deciding a request failed');
    } finally {
      server.close();
    }
  });

  it('answers the 503 at once when holding a request fails, and reports it', async function () {
    await setMaintenance(true);
    const errors: string[] = [];
    const gate = maintenance({ unleash, mode: 'pause', logger: { warn() {}, error: (line) => errors.push(line) } });
    const req = new IncomingMessage(new Socket());
    req.method = 'GET';
    req.url = '/';
    req.headers = { host: 'localhost', accept: 'application/json' };
    const res = new ServerResponse(req);
    res.on = () => {
      throw new Error('a broken response');
    };
    const ctx = new Koa().createContext(req, res);
    await gate(ctx, async () => expect.fail('the route'));
    expect(ctx.status).to.equal(503);
    expect(errors.join('\n')).to.contain('holding a request failed; it was answered with the 503');
    expect(unleash.listenerCount('changed')).to.equal(0);
  });

  it('checks maxPause and maxHeld at start', function () {
    expect(() => maintenance({ unleash, maxPause: '2m' })).to.throw(TypeError, /^maintenance\(\): maxPause "2m" is longer than 60 seconds/);
    expect(() => maintenance({ unleash, maxPause: '0s' })).to.throw(TypeError, /^maintenance\(\): maxPause "0s" is not a duration/);
    expect(() => maintenance({ unleash, maxHeld: -1 })).to.throw(TypeError, /^maintenance\(\): maxHeld -1 is not a whole number/);
    expect(() => maintenance({ unleash, maxHeld: 1.5 })).to.throw(TypeError, /maxHeld/);
    expect(() => maintenance({ unleash, mode: 'pause', maxPause: 60, maxHeld: 0 })).not.to.throw();
  });
});
