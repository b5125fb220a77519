/**
 * Pause mode's costs, of the BUILT package (bench/variants.ts `loadBuiltLibrary`):
 *
 * - Own CPU time of a held-then-released request: batches of requests go through the middleware in pause mode
 *   (a real bootstrapped client, flag on), each is held, then the batch is released (`skip` turns true and the
 *   client emits `changed`, which has each held request decided again) and goes on to a resolved `next`. Minus
 *   the same batches through a no-op middleware; median of the per-pair differences, CPU time as in micro.ts.
 *   The same batches in block mode (answered at once with the 503 page) are measured beside it.
 * - Memory of 10,000 held requests: an app in pause mode on 127.0.0.1, a client process opening 10,000 raw
 *   connections that each send one GET, held; heap and RSS after forced GCs, against the same 10,000 connections
 *   open and idle (no request) and against the empty server; then the time to release all 10,000 at once.
 *
 * Run by the runner (part `pause`), or alone: `node --expose-gc --import tsx bench/pause.ts`.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer, IncomingMessage, ServerResponse, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Koa from 'koa';
import { realUnleash } from '../test/support/unleash.js';
import { BODY } from './app.js';
import { BENCH_CLIENT, builtLibraryPath, loadBuiltLibrary, variantByName } from './variants.js';

const BATCH = 100;
const BATCHES = Number(process.env.BENCH_PAUSE_BATCHES ?? 200);
const PAIRS = Number(process.env.BENCH_MICRO_PAIRS ?? 11);
const HELD = Number(process.env.BENCH_PAUSE_HELD ?? 10_000);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const socket = { remoteAddress: '127.0.0.1', remotePort: 50000, encrypted: false } as unknown as Socket;
const headers: IncomingHttpHeaders = { host: '127.0.0.1:3000', ...variantByName('D').headers };
const next = (): Promise<void> => Promise.resolve();
const noop: Koa.Middleware = (_ctx, next) => next();
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const { maintenance } = await loadBuiltLibrary();
const flagOn = variantByName('D').flag;

/**
 * An app on a bootstrapped client with the flag on; `release()` lets what it holds go, `block()` holds again.
 * `park()` has the app's own route keep each request waiting until `unpark()` (maintenance skipped): a slow
 * request of the app, the comparison for a held one.
 */
async function pausedApp(mode: 'pause' | 'block', maxHeld: number) {
  const unleash = await realUnleash([flagOn], BENCH_CLIENT);
  let over = false;
  let parked: (() => void)[] | undefined;
  const app = new Koa();
  app.use(maintenance({ unleash, mode, maxHeld, maxPause: '60s', skip: () => over }));
  app.use(async (ctx) => {
    if (parked) await new Promise<void>((resolve) => parked!.push(resolve));
    ctx.body = BODY;
  });
  return {
    app,
    unleash,
    release() {
      over = true;
      unleash.emit('changed');
    },
    block() {
      over = false;
    },
    park() {
      over = true;
      parked = [];
    },
    unpark() {
      const waiting = parked ?? [];
      parked = undefined;
      for (const resolve of waiting) resolve();
    },
  };
}

// ------------------------------------------------------------------------------------------ own CPU time

function context(app: Koa): Koa.Context {
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = '/';
  req.headers = headers;
  const res = new ServerResponse(req);
  res.statusCode = 404;
  return app.createContext(req, res) as Koa.Context;
}

/** CPU ns per request: `BATCHES` batches of `BATCH` requests, each batch sent through, then released. */
async function batches(app: Koa, middleware: Koa.Middleware, release: () => void, block: () => void): Promise<number> {
  const start = process.cpuUsage();
  for (let b = 0; b < BATCHES; b += 1) {
    block();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < BATCH; i += 1) pending.push(middleware(context(app), next) as Promise<void>);
    release();
    await Promise.all(pending);
  }
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / (BATCHES * BATCH);
}

async function ownTime(mode: 'pause' | 'block'): Promise<{ ownNs: number; spreadNs: [number, number]; outcome: string }> {
  const { app, unleash, release, block } = await pausedApp(mode, BATCH);
  const middleware = app.middleware[0]!;
  const probe = context(app);
  block();
  let passed = false;
  const done = middleware(probe, () => {
    passed = true;
    return Promise.resolve();
  }) as Promise<void>;
  release();
  await done;
  const state = probe.state.maintenance as { reason: string; pausedMs?: number };
  const outcome = passed ? `pass (${state.reason})` : `${probe.status} (${state.reason})`;
  if (mode === 'pause' ? outcome !== 'pass (paused)' : outcome !== '503 (blocked)') throw new Error(`pause bench, ${mode}: the middleware gave ${outcome}`);
  await batches(app, noop, release, block);
  await batches(app, middleware, release, block);
  const diffs: number[] = [];
  for (let pair = 0; pair < PAIRS; pair += 1) {
    const first = pair % 2 === 0;
    const a = first ? await batches(app, noop, release, block) : 0;
    const measured = await batches(app, middleware, release, block);
    const b = first ? a : await batches(app, noop, release, block);
    diffs.push(measured - b);
  }
  unleash.destroy();
  return { ownNs: Math.round(median(diffs)), spreadNs: [Math.round(Math.min(...diffs)), Math.round(Math.max(...diffs))], outcome };
}

// ------------------------------------------------------------------------------------------ memory

async function settled(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 4; i += 1) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return process.memoryUsage();
}

async function memory() {
  const { app, unleash, release, block, park, unpark } = await pausedApp('pause', HELD * 2);
  let arrived = 0;
  let connections = 0;
  app.middleware.unshift((_ctx, next) => {
    arrived += 1;
    return next();
  });
  const server = createServer(app.callback());
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    connections += 1;
    socket.once('close', () => (connections -= 1));
  });
  server.listen(0, '127.0.0.1', 1024);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const client = fork(new URL('./pause-client.ts', import.meta.url), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const reply = (type: string) => new Promise<Record<string, number>>((resolve) => {
    const listener = (message: { type: string }) => {
      if (message.type !== type) return;
      client.off('message', listener);
      resolve(message as unknown as Record<string, number>);
    };
    client.on('message', listener);
  });
  const until = async (check: () => boolean, what: string) => {
    const deadline = Date.now() + 60_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`pause bench: ${what} within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  async function round(count: number, request: boolean) {
    const target = arrived + (request ? count : 0);
    const opened = reply('opened');
    client.send({ type: 'open', port, count, request });
    await opened;
    await until(() => connections >= count && arrived >= target, `${count} connections${request ? ' held' : ''}`);
  }
  async function releaseAll(count: number, letGo = release) {
    const answered = reply('answered');
    const started = performance.now();
    letGo();
    const result = await answered;
    const ms = performance.now() - started;
    if (result.ok !== count) throw new Error(`pause bench: ${result.ok} of ${count} released with 200`);
    block();
    return ms;
  }
  async function closeAll() {
    const closed = reply('closed');
    client.send({ type: 'close' });
    await closed;
    await until(() => connections === 0, 'every connection closed');
  }

  // Warm-up: compiled code, socket buffers, the engine's caches.
  await round(1_000, true);
  await releaseAll(1_000);
  await closeAll();
  const empty = await settled();
  await round(HELD, false);
  const idle = await settled();
  await closeAll();
  park();
  await round(HELD, true);
  const slow = await settled();
  await releaseAll(HELD, unpark);
  await closeAll();
  await round(HELD, true);
  const held = await settled();
  const releaseMs = await releaseAll(HELD);
  await closeAll();
  const after = await settled();
  client.disconnect();
  server.close();
  unleash.destroy();
  const perRequest = (from: NodeJS.MemoryUsage, to: NodeJS.MemoryUsage, key: 'heapUsed' | 'rss') => Math.round((to[key] - from[key]) / HELD);
  return {
    held: HELD,
    heapMB: { empty: mb(empty.heapUsed), idle: mb(idle.heapUsed), slow: mb(slow.heapUsed), held: mb(held.heapUsed), after: mb(after.heapUsed) },
    rssMB: { empty: mb(empty.rss), idle: mb(idle.rss), slow: mb(slow.rss), held: mb(held.rss), after: mb(after.rss) },
    /**
     * Bytes per held request over the empty server; of that, the open connection itself (idle), and what the same
     * request costs while the app's own route keeps it waiting (slow): held minus slow is what holding adds.
     */
    heapPerHeld: perRequest(empty, held, 'heapUsed'),
    heapPerIdleConnection: perRequest(empty, idle, 'heapUsed'),
    heapPerSlowRequest: perRequest(empty, slow, 'heapUsed'),
    rssPerHeld: perRequest(empty, held, 'rss'),
    rssPerIdleConnection: perRequest(empty, idle, 'rss'),
    releaseAllMs: Math.round(releaseMs),
  };
}

const mb = (bytes: number): number => Number((bytes / 1048576).toFixed(1));

const results = {
  heldThenReleased: await ownTime('pause'),
  blocked: await ownTime('block'),
  memory: await memory(),
};

if (process.send) {
  process.send({ type: 'results', results }, () => process.exit(0));
} else {
  console.log(`build: ${builtLibraryPath()}; ${BATCHES} batches of ${BATCH} per loop, ${PAIRS} pairs`);
  console.table({ 'held, then released': results.heldThenReleased, 'blocked (block mode)': results.blocked });
  console.log(`memory of ${HELD} held requests:`);
  console.table([results.memory]);
  process.exit(0);
}
