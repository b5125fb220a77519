/**
 * The middleware's own time per request, without sockets: a tight loop that builds a real Koa context
 * (`app.createContext` on a real IncomingMessage/ServerResponse pair with no socket behind them) and awaits
 * the middleware on it, minus the same loop awaiting a no-op middleware `(ctx, next) => next()`. Loops of
 * both kinds alternate in pairs; the answer is the median of the per-pair differences, so a burst from
 * another process on the machine spoils one pair, not the result. Runs in its own process (pinned by the
 * runner), reports through IPC, or prints when run alone: `node --import tsx bench/micro.ts`.
 */
import { IncomingMessage, ServerResponse, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type Koa from 'koa';
import compose from 'koa-compose';
import { FLAG, realUnleash } from '../test/support/unleash.js';
import { createApp } from './app.js';
import {
  BENCH_CLIENT, builtLibraryPath, MICRO_CASES, rolloutSessionIds, SESSION_HEADER, variantByName, microTableRow, type MicroResult, type VariantName,
} from './variants.js';

const ITERATIONS = Number(process.env.BENCH_MICRO_ITERATIONS ?? 20_000);
const PAIRS = Number(process.env.BENCH_MICRO_PAIRS ?? 11);
const ONLY = process.env.BENCH_MICRO_CASES?.split(',');
const CASES = MICRO_CASES.filter((entry) => !ONLY || ONLY.includes(entry.variant));

const socket = { remoteAddress: '127.0.0.1', remotePort: 50000, encrypted: false } as unknown as Socket;
const noop: Koa.Middleware = (_ctx, next) => next();
const next = (): Promise<void> => Promise.resolve();

/** CPU time (this process, user + system) per iteration in ns: other processes on the machine stretch wall time, not this. */
async function loop(app: Koa, middleware: Koa.Middleware, headers: readonly IncomingHttpHeaders[], iterations: number, path = '/'): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i += 1) {
    const req = new IncomingMessage(socket);
    req.method = 'GET';
    req.url = path;
    req.headers = headers[i % headers.length]!;
    const res = new ServerResponse(req);
    res.statusCode = 404; // as Koa's handleRequest does
    const ctx = app.createContext(req, res);
    await middleware(ctx, next);
  }
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / iterations;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const { ids } = await rolloutSessionIds(64);
const results: MicroResult[] = [];
/** One request through the middleware: let through to `next`, or answered (status) by it. */
async function outcomeOf(app: Koa, middleware: Koa.Middleware, headers: IncomingHttpHeaders, path: string): Promise<string> {
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = path;
  req.headers = headers;
  const res = new ServerResponse(req);
  res.statusCode = 404;
  const ctx = app.createContext(req, res);
  let passed = false;
  await middleware(ctx, () => {
    passed = true;
    return Promise.resolve();
  });
  const reason = (ctx.state as { maintenance?: { reason?: string } }).maintenance?.reason;
  return `${passed ? 'pass' : ctx.status}${reason ? ` (${reason})` : ''}`;
}

for (const { variant: name, path, expect, targetNs } of CASES) {
  const variant = variantByName(name);
  const { app, unleash } = await createApp(variant);
  const middleware = app.middleware[0]!;
  const base = { host: '127.0.0.1:3000', ...variant.headers };
  const headers = variant.sessionFromHeader ? ids.map((id) => ({ ...base, [SESSION_HEADER]: id })) : [base];
  const url = variant.path ?? '/';
  const outcome = await outcomeOf(app, middleware, headers[0]!, url);
  if ((expect === 'pass' && !outcome.startsWith('pass')) || (expect === 'block' && !outcome.startsWith('503'))) {
    throw new Error(`micro ${path}: expected ${expect}, the middleware gave ${outcome}`);
  }
  await loop(app, noop, headers, ITERATIONS, url);
  await loop(app, middleware, headers, ITERATIONS, url);
  const diffs: number[] = [];
  const baselines: number[] = [];
  for (let pair = 0; pair < PAIRS; pair += 1) {
    // Alternate which loop goes first, so neither always runs on a freshly collected heap.
    const first = pair % 2 === 0;
    const a = first ? await loop(app, noop, headers, ITERATIONS, url) : 0;
    const measured = await loop(app, middleware, headers, ITERATIONS, url);
    const b = first ? a : await loop(app, noop, headers, ITERATIONS, url);
    diffs.push(measured - b);
    baselines.push(b);
  }
  unleash.destroy();
  const ownNs = Math.round(median(diffs));
  results.push({
    variant: name,
    path,
    outcome,
    ownNs,
    spreadNs: [Math.round(Math.min(...diffs)), Math.round(Math.max(...diffs))],
    baselineNs: Math.round(median(baselines)),
    ...(targetNs === undefined ? {} : { targetNs, met: ownNs <= targetNs }),
  });
}

// What Koa itself charges for one more middleware layer, whatever it does: the same loop through
// koa-compose with [no-op, route] against [route]. Part of every variant's cost under load, not of the middleware's own.
{
  const variant = variantByName('A');
  const { app, unleash } = await createApp(variant);
  const route: Koa.Middleware = (ctx) => {
    ctx.body = 'hello world';
  };
  const withLayer = compose([noop, route]) as unknown as Koa.Middleware;
  const without = compose([route]) as unknown as Koa.Middleware;
  const headers = [{ host: '127.0.0.1:3000', ...variant.headers }];
  await loop(app, without, headers, ITERATIONS);
  await loop(app, withLayer, headers, ITERATIONS);
  const diffs: number[] = [];
  const baselines: number[] = [];
  for (let pair = 0; pair < PAIRS; pair += 1) {
    const base = await loop(app, without, headers, ITERATIONS);
    diffs.push((await loop(app, withLayer, headers, ITERATIONS)) - base);
    baselines.push(base);
  }
  unleash.destroy();
  results.push({
    variant: 'A',
    path: 'koa-layer',
    ownNs: Math.round(median(diffs)),
    spreadNs: [Math.round(Math.min(...diffs)), Math.round(Math.max(...diffs))],
    baselineNs: Math.round(median(baselines)),
  });
}

// What Unleash itself charges per decision in these loops (same kind of context the middleware builds), so the
// F and G rows can be split into Unleash's share and the middleware's.
const unleashCalls: { variant: VariantName; call: string; ns: number }[] = [];
for (const name of ['D', 'F', 'G'] as const) {
  const variant = variantByName(name);
  const unleash = await realUnleash([variant.flag], BENCH_CLIENT);
  const contexts = name === 'D'
    ? [{}]
    : ids.map((id) => ({ remoteAddress: '127.0.0.1', sessionId: id, properties: { path: '/', method: 'GET', hostname: '127.0.0.1' } }));
  const call = name === 'G' ? 'getVariant' : 'isEnabled';
  const once = (i: number): unknown => (call === 'getVariant' ? unleash.getVariant(FLAG, contexts[i % contexts.length]) : unleash.isEnabled(FLAG, contexts[i % contexts.length], false));
  const timings: number[] = [];
  for (let pair = 0; pair <= PAIRS; pair += 1) {
    const start = process.cpuUsage();
    for (let i = 0; i < ITERATIONS; i += 1) once(i);
    const used = process.cpuUsage(start);
    if (pair > 0) timings.push(((used.user + used.system) * 1000) / ITERATIONS);
  }
  unleash.destroy();
  unleashCalls.push({ variant: name, call: `${call}(${name === 'D' ? 'empty context' : 'request context'})`, ns: Math.round(median(timings)) });
}

if (process.send) {
  process.send({ type: 'results', results, unleashCalls }, () => process.exit(0));
} else {
  console.log(`build: ${builtLibraryPath()}; ${ITERATIONS} iterations per loop, ${PAIRS} pairs`);
  console.table(results.map(microTableRow));
  console.table(unleashCalls);
  process.exit(0);
}
