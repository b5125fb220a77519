import { once } from 'node:events';
import { Agent, createServer, get as httpGet, IncomingMessage, type Server } from 'node:http';
import { connect, Socket, type AddressInfo } from 'node:net';
import { expect } from 'chai';
import Koa from 'koa';
import type { Unleash } from 'unleash-client';
import WebSocket, { WebSocketServer } from 'ws';
import { maintenance, type MaintenanceMiddleware, type MaintenanceOptions, type MaintenanceState } from '../../src/index.js';
import { startFeaturesServer, type FeaturesServer } from '../support/features-server.js';
import { settledHeapUsed } from '../support/heap.js';
import { FLAG, pollingUnleash, realUnleash } from '../support/unleash.js';

const SECRET = 'k3J9-xQ2_vT7pL0mN5bR8cW1zY4aF6hD';
const POLL_MS = 100;

interface Site {
  gate: MaintenanceMiddleware;
  url: string;
  wsUrl: string;
  server: Server;
  reported: string[];
}

/**
 * A Koa app behind the gate and a real `ws` server on the same HTTP server, its upgrades guarded by
 * `gate.upgrade`. Every WebSocket it accepts is watched: closed with 1013 once maintenance blocks it.
 */
async function startSite(unleash: Unleash, options: Partial<MaintenanceOptions> = {}): Promise<Site> {
  const reported: string[] = [];
  const gate = maintenance({
    unleash,
    bypassIps: ['127.0.0.9'],
    bypassSecret: { secret: SECRET },
    allowedUrls: [/^\/public\//],
    retryAfter: 30,
    logger: { warn: (line) => reported.push(line), error: (line) => reported.push(line) },
    ...options,
  });
  const app = new Koa();
  app.use(gate);
  app.use(async (ctx) => {
    if (ctx.path !== '/events') {
      ctx.body = 'open';
      return;
    }
    // Server-Sent Events through Koa: a tick every 50 ms until maintenance blocks the stream.
    ctx.respond = false;
    ctx.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    const tick = setInterval(() => ctx.res.write('data: tick\n\n'), 50);
    const stop = gate.watch(ctx.req, () => ctx.res.end('event: maintenance\ndata: bye\n\n'));
    ctx.res.on('close', () => {
      clearInterval(tick);
      stop();
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws, req) => {
    const unwatch = gate.watch(req, () => ws.close(1013, 'maintenance'));
    ws.on('close', unwatch);
    ws.send('hello');
  });
  const server = createServer(app.callback());
  server.on('upgrade', gate.upgrade((req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { gate, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}`, server, reported };
}

type Opened = { ws: WebSocket; first: string };
type Refused = { status: number; headers: IncomingMessage['headers']; body: string };

/** Opens a WebSocket: either it opens (and says hello) or the server refuses the upgrade with an HTTP answer. */
function openSocket(url: string, options: WebSocket.ClientOptions = {}): Promise<Opened | Refused> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: 3_000, ...options });
    ws.once('message', (data) => resolve({ ws, first: String(data) }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        ws.on('error', () => {}); // terminating before a handshake reports one
        ws.terminate();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    ws.once('error', reject);
  });
}

function expectRefused(answer: Opened | Refused): Refused {
  if ('ws' in answer) {
    answer.ws.terminate();
    expect.fail('the upgrade was let through');
  }
  return answer;
}

function expectOpened(answer: Opened | Refused): WebSocket {
  if (!('ws' in answer)) expect.fail(`refused with ${answer.status}: ${answer.body}`);
  expect(answer.first).to.equal('hello');
  return answer.ws;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) expect.fail(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Sends raw bytes and collects the answer: until the server closes, 300 ms after its first bytes, or 3 s. */
async function rawExchange(port: number, bytes: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('error', () => {});
  const answered = new Promise<void>((resolve) => {
    socket.on('data', (chunk: string) => {
      received += chunk;
      setTimeout(resolve, 300);
    });
    socket.on('close', () => resolve());
    setTimeout(resolve, 3_000);
  });
  socket.write(bytes);
  await answered;
  socket.destroy();
  return received;
}

/** A GET over `agent` (so keep-alive sockets are reused), calling `onText` with the body so far; resolves with it at the end. */
function agentRequest(agent: Agent, url: string, onText: (text: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => onText((text += chunk)));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
  });
}

describe('WebSocket upgrades and long-lived connections', function () {
  this.timeout(20_000);
  let features: FeaturesServer;
  let unleash: Unleash;
  let site: Site;
  const errors: unknown[] = [];

  before(async function () {
    features = await startFeaturesServer();
    unleash = pollingUnleash(features.url, POLL_MS, errors);
    await once(unleash, 'synchronized');
    site = await startSite(unleash);
  });

  after(async function () {
    site.server.closeAllConnections();
    site.server.close();
    unleash.destroy();
    await features.close();
  });

  async function setMaintenance(on: boolean): Promise<void> {
    features.enabled = on;
    await until(() => unleash.isEnabled(FLAG) === on, 3_000, `the client to see maintenance ${on ? 'on' : 'off'}`);
  }

  describe('upgrades', function () {
    it('connects while maintenance is off', async function () {
      await setMaintenance(false);
      expectOpened(await openSocket(`${site.wsUrl}/live`)).close();
    });

    it('answers a real HTTP/1.1 503 while on: Retry-After, no-store, problem+json, then closes', async function () {
      await setMaintenance(true);
      const refused = expectRefused(await openSocket(`${site.wsUrl}/live`));
      expect(refused.status).to.equal(503);
      expect(refused.headers['retry-after']).to.equal('30');
      expect(refused.headers['cache-control']).to.equal('no-store');
      expect(refused.headers['x-content-type-options']).to.equal('nosniff');
      expect(refused.headers['content-type']).to.equal('application/problem+json; charset=utf-8');
      expect(refused.headers.connection).to.equal('close');
      expect(JSON.parse(refused.body)).to.include({ status: 503, title: 'Down for maintenance', retryAfter: 30 });
    });

    it('lets a bypass IP, the bypass cookie and the bypass header through, and an allowed URL', async function () {
      await setMaintenance(true);
      expectOpened(await openSocket(`${site.wsUrl}/live`, { localAddress: '127.0.0.9' })).close();
      expectOpened(await openSocket(`${site.wsUrl}/live`, { headers: { 'x-maintenance-bypass': SECRET } })).close();
      const link = await fetch(`${site.url}/__maintenance/bypass/${SECRET}`, { redirect: 'manual' });
      const cookie = String(link.headers.get('set-cookie')).split(';')[0]!;
      expectOpened(await openSocket(`${site.wsUrl}/live`, { headers: { cookie } })).close();
      expectOpened(await openSocket(`${site.wsUrl}/public/live`)).close();
      expectRefused(await openSocket(`${site.wsUrl}/live`, { headers: { 'x-maintenance-bypass': 'wrong' } }));
    });

    it('refuses encoded-path tricks on the upgrade path', async function () {
      await setMaintenance(true);
      for (const path of ['/%70ublic/live', '/public/../live', '/public%2Flive', '//public/live', '/public/%2e%2e/live']) {
        const refused = expectRefused(await openSocket(`${site.wsUrl}${path}`));
        expect(refused.status, path).to.equal(503);
      }
    });

    it('refuses upgrades to the health paths, in block and in read-only mode: a probe never upgrades', async function () {
      await setMaintenance(true);
      const readOnly = await startSite(unleash, { mode: 'read-only' });
      try {
        for (const { wsUrl, url } of [site, readOnly]) {
          for (const path of ['/healthz', '/readyz?x=1', '/livez']) {
            expect(expectRefused(await openSocket(`${wsUrl}${path}`)).status, `${wsUrl}${path}`).to.equal(503);
            expect((await fetch(`${url}${path}`)).status, `a plain GET ${path} still passes`).to.equal(200);
          }
        }
      } finally {
        readOnly.server.closeAllConnections();
        readOnly.server.close();
      }
    });

    it('refuses an upgrade whose Upgrade header Node dropped (past maxHeadersCount): Node still calls it one', async function () {
      await setMaintenance(true);
      const readOnly = await startSite(unleash, { mode: 'read-only' });
      const handWritten = createServer();
      const opened: string[] = [];
      const listen = (gate: MaintenanceMiddleware) =>
        gate.upgrade((req, socket) => {
          opened.push(String(req.url));
          socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
        });
      const padding = 'x:\r\n'.repeat(1_999);
      try {
        for (const [gate, path] of [[site.gate, '/healthz'], [readOnly.gate, '/page']] as const) {
          handWritten.removeAllListeners('upgrade');
          handWritten.on('upgrade', listen(gate));
          if (!handWritten.listening) {
            handWritten.listen(0, '127.0.0.1');
            await once(handWritten, 'listening');
          }
          const { port } = handWritten.address() as AddressInfo;
          const answer = await rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n${padding}Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n`);
          // Node 20 hands it over and the gate refuses it; Node 22 and later refuse so many headers themselves (431).
          expect(answer, path).to.match(/^HTTP\/1\.1 (503|431) /);
        }
        expect(opened, 'the listener never got the socket').to.deep.equal([]);
      } finally {
        handWritten.close();
        readOnly.server.closeAllConnections();
        readOnly.server.close();
      }
    });

    it('refuses upgrades in read-only mode: a WebSocket can write', async function () {
      await setMaintenance(true);
      const readOnly = await startSite(unleash, { mode: 'read-only' });
      try {
        expect((await fetch(`${readOnly.url}/page`)).status, 'a plain GET passes').to.equal(200);
        expect(expectRefused(await openSocket(`${readOnly.wsUrl}/live`)).status).to.equal(503);
        expectOpened(await openSocket(`${readOnly.wsUrl}/public/live`)).close();
      } finally {
        readOnly.server.closeAllConnections();
        readOnly.server.close();
      }
    });

    it('survives hostile upgrade requests, a throwing listener and sockets that close early', async function () {
      const { port } = site.server.address() as AddressInfo;
      const upgradeHeaders = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
      for (const on of [true, false]) {
        await setMaintenance(on);
        for (const target of ['http://[::1/live', '/%', '/\\..\\public', 'http://[::1]:abc/x', '*']) {
          const answer = await rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: x\r\n${upgradeHeaders}\r\n`);
          expect(answer, `${target} (on: ${on})`).to.match(on ? /^HTTP\/1\.1 503 / : /^HTTP\/1\.1 (101|400) /);
        }
        await rawExchange(port, `GET /live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`);
        const early = connect(port, '127.0.0.1');
        early.on('error', () => {});
        early.end(`GET /live HTTP/1.1\r\nHost: x\r\n${upgradeHeaders}\r\n`);
        early.destroy();
      }
      const throwing = createServer();
      throwing.on('upgrade', site.gate.upgrade(() => {
        throw new Error('listener bug');
      }));
      throwing.listen(0, '127.0.0.1');
      await once(throwing, 'listening');
      await setMaintenance(false);
      const closed = await rawExchange((throwing.address() as AddressInfo).port, `GET /live HTTP/1.1\r\nHost: x\r\n${upgradeHeaders}\r\n`);
      expect(closed, 'the socket is closed, nothing written').to.equal('');
      expect(site.reported.some((line) => line.includes('the upgrade listener threw'))).to.equal(true);
      throwing.close();
      expectOpened(await openSocket(`${site.wsUrl}/live`)).close();
    });
  });

  describe('connections opened before maintenance', function () {
    it('closes a watched WebSocket with 1013 within a second of the client seeing maintenance; a bypassed one stays', async function () {
      await setMaintenance(false);
      const visitor = expectOpened(await openSocket(`${site.wsUrl}/live`));
      const staff = expectOpened(await openSocket(`${site.wsUrl}/live`, { localAddress: '127.0.0.9' }));
      const closing = once(visitor, 'close');
      await setMaintenance(true);
      const seenAt = Date.now();
      const [code, reason] = (await closing) as [number, Buffer];
      expect(code).to.equal(1013);
      expect(String(reason)).to.equal('maintenance');
      expect(Date.now() - seenAt, 'ms from the client seeing it to the close').to.be.below(1_000);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(staff.readyState).to.equal(WebSocket.OPEN);
      staff.close();
    });

    it('closes a watched WebSocket within a second of a scheduled window\'s start, which no changed event announces', async function () {
      const from = new Date(Date.now() + 1_500);
      const scheduled = await realUnleash([{
        name: FLAG,
        enabled: true,
        strategies: [{ name: 'default', parameters: {}, constraints: [{ contextName: 'currentTime', operator: 'DATE_AFTER', value: from.toISOString() }] }],
      }]);
      const windowSite = await startSite(scheduled);
      try {
        const ws = expectOpened(await openSocket(`${windowSite.wsUrl}/live`));
        const [code] = (await once(ws, 'close')) as [number];
        expect(code).to.equal(1013);
        expect(Date.now() - from.getTime(), 'ms after the start').to.be.within(0, 1_300);
      } finally {
        windowSite.server.closeAllConnections();
        windowSite.server.close();
        scheduled.destroy();
      }
    });

    it('closes a WebSocket to a health path opened before maintenance: the recheck meets the same rule', async function () {
      await setMaintenance(false);
      const ws = expectOpened(await openSocket(`${site.wsUrl}/healthz`));
      const closed = once(ws, 'close');
      await setMaintenance(true);
      const [code] = await Promise.race([closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('still open')), 2_000))]);
      expect(code).to.equal(1013);
    });

    it('ends a watched Server-Sent Events stream through Koa', async function () {
      await setMaintenance(false);
      const response = await fetch(`${site.url}/events`);
      const reader = response.body!.getReader();
      let text = '';
      const ended = (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          text += new TextDecoder().decode(value);
        }
      })();
      await until(() => text.includes('data: tick'), 2_000, 'a first tick');
      await setMaintenance(true);
      await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the stream did not end')), 2_000))]);
      expect(text).to.contain('event: maintenance');
    });

    it('leaves no close listener behind on a keep-alive socket: 12 streams, each ended by maintenance', async function () {
      const sockets: Socket[] = [];
      const onConnection = (socket: Socket) => sockets.push(socket);
      site.server.on('connection', onConnection);
      const warnings: Error[] = [];
      const onWarning = (warning: Error) => warnings.push(warning);
      process.on('warning', onWarning);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const listeners: number[] = [];
      try {
        for (let stream = 0; stream < 12; stream++) {
          await setMaintenance(false);
          let started = false;
          const text = await agentRequest(agent, `${site.url}/events`, (sofar) => {
            if (started || !sofar.includes('data: tick')) return;
            started = true;
            features.enabled = true;
          });
          expect(text).to.contain('event: maintenance');
          listeners.push(sockets[0]!.listenerCount('close'));
        }
      } finally {
        agent.destroy();
        process.off('warning', onWarning);
        site.server.off('connection', onConnection);
      }
      expect(sockets, 'one keep-alive socket carried every stream').to.have.length(1);
      expect(listeners.at(-1), `close listeners after each stream: ${listeners.join(', ')}`).to.equal(listeners[0]);
      expect(warnings.map((warning) => warning.name)).to.not.include('MaxListenersExceededWarning');
    });

    it('forgets closed connections by themselves: 10,000 watched and closed leave the heap as it was', async function () {
      const sockets: Socket[] = [];
      const watchMany = (count: number) => {
        for (let i = 0; i < count; i += 1) {
          const socket = new Socket();
          const req = new IncomingMessage(socket);
          req.url = '/live';
          req.method = 'GET';
          site.gate.watch(req, () => {});
          sockets.push(socket);
        }
      };
      const closeAll = () => {
        for (const socket of sockets.splice(0)) socket.emit('close', false);
      };
      watchMany(1_000); // the first round also compiles code and grows the engine's caches: not a leak
      closeAll();
      const before = await settledHeapUsed();
      watchMany(10_000);
      const holding = await settledHeapUsed();
      expect(holding - before, 'the watched connections take memory while open').to.be.above(1_000_000);
      closeAll();
      const afterwards = await settledHeapUsed();
      expect(afterwards - before, `heap: ${before} before, ${holding} holding, ${afterwards} after`).to.be.below((holding - before) / 10);
    });
  });

  describe('decide(req)', function () {
    it('gives the MaintenanceState the middleware records for the same request', async function () {
      await setMaintenance(true);
      const req = new IncomingMessage(new Socket());
      req.url = '/live';
      req.method = 'GET';
      const state: MaintenanceState = site.gate.decide(req);
      expect(state).to.deep.include({ active: true, reason: 'blocked', mode: 'block' });
      req.url = '/public/x';
      expect(site.gate.decide(req)).to.deep.include({ active: true, reason: 'allowed-url' });
      await setMaintenance(false);
      expect(site.gate.decide(req)).to.deep.equal({ active: false, reason: 'off', clientIp: undefined });
    });
  });
});
