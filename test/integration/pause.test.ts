import { once } from 'node:events';
import { request as httpRequest, type ClientRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import Koa from 'koa';
import { MaintenanceControl } from '../../src/control/index.js';
import { maintenance, type MaintenanceOptions, type MaintenanceState } from '../../src/index.js';
import { runCliProcess } from '../support/cli-process.js';
import { uniqueFlagName } from '../support/flags.js';
import { PROPAGATION_BUDGET_MS } from '../support/flip-timer.js';
import { useSharedFlag } from '../support/flag-app.js';
import { settledHeapUsed } from '../support/heap.js';
import { createTestClient, waitUntilSynchronized, type TestClient } from '../support/server-client.js';

const STATUS_PATH = '/maintenance.json';

interface PausedApp {
  url: string;
  server: Server;
  /** Requests that reached the app behind the middleware, and every decision onDecision saw. */
  served: number;
  arrived: number;
  decisions: MaintenanceState[];
  close(): Promise<void>;
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  state: MaintenanceState | undefined;
  startedAt: number;
  endedAt: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function get(url: string): Promise<Answer> {
  const startedAt = Date.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false, headers: { accept: 'application/json' }, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const parsed = res.statusCode === 200 ? (JSON.parse(body) as { maintenance?: MaintenanceState }) : undefined;
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter, state: parsed?.maintenance, startedAt, endedAt: Date.now() });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 30 s`)));
    req.on('error', reject);
    req.end();
  });
}

describe('integration: pause mode against a real Unleash', function () {
  this.timeout(60_000);
  const flag = uniqueFlagName('pause');
  let client: TestClient;
  const apps: PausedApp[] = [];
  const shared = useSharedFlag({
    flag,
    async setUp(stack) {
      await stack.admin.createFlag(flag);
      client = createTestClient({ url: stack.url, token: stack.tokens.production });
      await waitUntilSynchronized(client);
    },
    async tearDown() {
      for (const app of apps.splice(0)) await app.close();
      client?.destroy();
    },
  });

  const control = () => new MaintenanceControl({ url: shared.stack.url, token: shared.stack.tokens.admin, flag });
  const wait = () => ({ clientTokens: [shared.stack.tokens.production] });

  async function startPausedApp(options: Partial<MaintenanceOptions> = {}): Promise<PausedApp> {
    const app = new Koa();
    const state = { served: 0, arrived: 0, decisions: [] as MaintenanceState[] };
    app.use((_ctx, next) => {
      state.arrived += 1;
      return next();
    });
    // The option says block: only the flag's payload, written by `on --mode pause`, makes this a pause.
    app.use(maintenance({ unleash: client.unleash, flagName: flag, statusPath: STATUS_PATH, onDecision: (_ctx, decision) => state.decisions.push(decision), ...options }));
    app.use((ctx) => {
      state.served += 1;
      ctx.body = { maintenance: ctx.state.maintenance };
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const running: PausedApp = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      server,
      get served() {
        return state.served;
      },
      get arrived() {
        return state.arrived;
      },
      decisions: state.decisions,
      async close() {
        server.closeAllConnections();
        server.close();
        await once(server, 'close');
      },
    };
    apps.push(running);
    return running;
  }

  /** Polls the app's status endpoint (never held) until it says maintenance is on in pause mode, or off. */
  async function appSees(app: PausedApp, active: boolean): Promise<number> {
    const since = Date.now();
    for (;;) {
      const status = (await (await fetch(`${app.url}${STATUS_PATH}`)).json()) as { active: boolean; mode: string };
      if (status.active === active && (!active || status.mode === 'pause')) return Date.now() - since;
      if (Date.now() - since > 5_000) expect.fail(`the app did not see maintenance ${active ? 'on in pause mode' : 'off'} within 5 s`);
      await sleep(20);
    }
  }

  afterEach(async function () {
    await control().disable('production', { wait: wait() });
  });

  it('a 3-second switchover behind `on --mode pause`: 50 requests made meanwhile all get the app\'s 200, none later than the flag\'s propagation after `off`', async function () {
    const app = await startPausedApp();
    const env = { UNLEASH_URL: shared.stack.url, UNLEASH_ADMIN_TOKEN: shared.stack.tokens.admin, UNLEASH_API_TOKEN: shared.stack.tokens.production };
    const on = await runCliProcess(['on', '-e', 'production', '--flag', flag, '--mode', 'pause', '--max-pause', '15s', '--wait'], env);
    expect(on.code, on.stderr).to.equal(0);
    expect(on.stdout).to.contain('mode pause (max pause 15 s)');
    await appSees(app, true);
    const pauseStarted = Date.now();

    const answers: Promise<Answer>[] = [];
    for (let i = 0; i < 50; i += 1) {
      answers.push(get(`${app.url}/orders/${i}`));
      await sleep(40); // spread over two seconds of the pause
    }
    await sleep(Math.max(0, 3_000 - (Date.now() - pauseStarted)));
    expect(app.served, 'nothing reached the app during the pause').to.equal(0);

    const offStarted = Date.now();
    const off = await runCliProcess(['off', '-e', 'production', '--flag', flag, '--wait'], env);
    expect(off.code, off.stderr).to.equal(0);
    const offServed = Date.now();
    const replies = await Promise.all(answers);

    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status !== 200), 'zero 503s, zero errors').to.deep.equal([]);
    for (const reply of replies) expect(reply.state).to.include({ reason: 'paused', active: false });
    const lastRelease = Math.max(...replies.map((reply) => reply.endedAt));
    const firstRelease = Math.min(...replies.map((reply) => reply.endedAt));
    const longestWait = Math.max(...replies.map((reply) => reply.state?.pausedMs ?? 0));
    console.log(`      pause: 50 held up to ${longestWait} ms; released ${firstRelease - offServed}..${lastRelease - offServed} ms after Unleash served "off" (the command took ${offServed - offStarted} ms)`);
    expect(firstRelease, 'none released before off').to.be.at.least(offStarted);
    expect(lastRelease - offServed, 'every one released within the flag\'s propagation').to.be.at.most(PROPAGATION_BUDGET_MS);
    expect(app.decisions.map((decision) => decision.reason)).to.deep.equal(Array(50).fill('paused'));
  });

  it('a pause longer than maxPause: 50 requests get today\'s 503, with Retry-After, after about a second', async function () {
    const app = await startPausedApp({ maxPause: '1s' });
    await control().enable('production', { mode: 'pause', retryAfter: 30, wait: wait() });
    await appSees(app, true);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => get(`${app.url}/orders/${i}`)));
    for (const reply of replies) {
      expect(reply.status).to.equal(503);
      expect(reply.retryAfter).to.equal('30');
      expect(reply.endedAt - reply.startedAt).to.be.within(950, 2_500);
    }
    expect(app.served).to.equal(0);
    expect(app.decisions).to.have.length(50);
    for (const decision of app.decisions) expect(decision.pausedMs).to.be.within(950, 2_500);
  });

  it('maxHeld 10 with 50 requests: 10 held and let through after off, 40 get the 503 at once', async function () {
    const app = await startPausedApp({ maxHeld: 10 });
    await control().enable('production', { mode: 'pause', maxPause: '15s', wait: wait() });
    await appSees(app, true);
    const answers = Array.from({ length: 50 }, (_, i) => get(`${app.url}/orders/${i}`));
    const refusedAtOnce = await Promise.all(answers.map((answer) => Promise.race([answer, sleep(1_000).then(() => undefined)])));
    const early = refusedAtOnce.filter((reply) => reply !== undefined);
    expect(early, '40 answered within a second').to.have.length(40);
    for (const reply of early) expect(reply!.status).to.equal(503);
    await control().disable('production', { wait: wait() });
    const replies = await Promise.all(answers);
    expect(replies.filter((reply) => reply.status === 200)).to.have.length(10);
    expect(replies.filter((reply) => reply.status === 503)).to.have.length(40);
    expect(app.decisions.filter((decision) => decision.reason === 'paused')).to.have.length(10);
  });

  it('clients that hang up while held leave nothing behind: 10,000 held and dropped, the heap back where it was', async function () {
    this.timeout(120_000);
    const app = await startPausedApp({ maxPause: '60s', maxHeld: 1_000 });
    await control().enable('production', { mode: 'pause', wait: wait() });
    await appSees(app, true);
    const changedListeners = client.unleash.listenerCount('changed');

    /** Opens `count` requests, waits until the app holds them all, then hangs every one up and waits until each is dropped. */
    async function holdAndDrop(count: number): Promise<void> {
      const arrived = app.arrived + count;
      const dropped = app.decisions.length + count;
      const requests: ClientRequest[] = [];
      for (let i = 0; i < count; i += 1) {
        const req = httpRequest(`${app.url}/held/${i}`, { agent: false });
        req.on('error', () => {}); // the hang-up itself
        req.end();
        requests.push(req);
      }
      const deadline = Date.now() + 20_000;
      while (app.arrived < arrived) {
        if (Date.now() > deadline) expect.fail(`only ${app.arrived - (arrived - count)} of ${count} arrived`);
        await sleep(10);
      }
      await sleep(20);
      for (const req of requests) req.destroy();
      while (app.decisions.length < dropped) {
        if (Date.now() > deadline) expect.fail(`only ${app.decisions.length - (dropped - count)} of ${count} dropped`);
        await sleep(10);
      }
      expect(app.decisions.every((decision) => decision.reason === 'blocked' && decision.pausedMs !== undefined)).to.equal(true);
      app.decisions.length = 0; // the test's own record, not the middleware's
    }

    await holdAndDrop(500); // warm-up: compiled code, the engine's caches, socket buffers
    const before = await settledHeapUsed();
    const trend: string[] = [];
    for (let round = 1; round <= 20; round += 1) {
      await holdAndDrop(500);
      if (round % 5 === 0) trend.push(((await settledHeapUsed()) / 1048576).toFixed(1));
    }
    await sleep(100);
    const after = await settledHeapUsed();
    const growth = after - before;
    console.log(`      heap: ${(before / 1048576).toFixed(1)} MB before, ${trend.join(' / ')} MB after each 2,500, ${(after / 1048576).toFixed(1)} MB after 10,000 held and dropped (${(growth / 1048576).toFixed(2)} MB)`);
    expect(app.served, 'no dropped request reached the app').to.equal(0);
    expect(client.unleash.listenerCount('changed'), 'no changed listener left').to.equal(changedListeners);
    expect(growth, 'heap growth').to.be.below(5 * 1048576);
  });
});
