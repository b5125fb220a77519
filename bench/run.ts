/**
 * `npm run bench`: load, per-request cost and memory of the BUILT package (dist/), in one run.
 *
 * CPU layout on a 2-core machine: this process (autocannon, the load generator) is pinned to CPU 0 and
 * every app process to CPU 1, so client and server never steal each other's core and the server's core
 * is the bottleneck (each round reports the server's CPU use to show it). Apps listen on 127.0.0.1 only.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { rolloutSessionIds, SESSION_HEADER, VARIANTS, variantByName, type Variant, type VariantName } from './variants.js';

const env = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const CONFIG = {
  rounds: env('BENCH_ROUNDS', 5),
  warmupSeconds: env('BENCH_WARMUP', 2),
  roundSeconds: env('BENCH_DURATION', 2),
  connections: env('BENCH_CONNECTIONS', 50),
  memoryRequests: env('BENCH_MEMORY_REQUESTS', 1_000_000),
  memoryPipelining: 10,
  /** The memory run stops between chunks once the whole run has taken this long (the budget is 5 minutes). */
  memoryDeadlineSeconds: env('BENCH_MEMORY_DEADLINE', 260),
  clientCpu: '0',
  serverCpu: '1',
};
const PARTS = new Set((process.env.BENCH_PARTS ?? 'load,micro,memory').split(','));
const ONLY = process.env.BENCH_VARIANTS ? process.env.BENCH_VARIANTS.split(',') : undefined;
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const ROOT = here('..');
const started = Date.now();

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (value: number, digits = 0): number => Number(value.toFixed(digits));
const log = (line: string): void => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${line}`);

function pin(pid: number, cpu: string): void {
  try {
    execFileSync('taskset', ['-a', '-cp', cpu, String(pid)], { stdio: 'ignore' });
  } catch {
    log(`taskset unavailable: pid ${pid} not pinned to CPU ${cpu} (client and server then share both cores)`);
  }
}

// ---------------------------------------------------------------------------------------------- app processes

interface App {
  variant: Variant;
  child: ChildProcess;
  url: string;
}

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null): void => reject(new Error(`app process exited (${code}) while waiting for ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function ask<T>(app: App, type: string): Promise<T> {
  const reply = nextMessage<T>(app.child, type);
  app.child.send({ type });
  return reply;
}

async function startApp(variant: Variant, extraNodeFlags: string[] = []): Promise<App> {
  const child = spawn(process.execPath, ['--expose-gc', ...extraNodeFlags, '--import', 'tsx', here('server.ts'), variant.name], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await nextMessage<{ port: number }>(child, 'ready');
  pin(child.pid!, CONFIG.serverCpu);
  return { variant, child, url: `http://127.0.0.1:${port}/` };
}

async function stopApp(app: App): Promise<void> {
  const exited = new Promise((resolve) => app.child.once('exit', resolve));
  app.child.send({ type: 'stop' });
  const timer = setTimeout(() => app.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------- load

function loadOptions(app: App, seconds: number, sessionIds: string[]): autocannon.Options {
  const options: autocannon.Options = {
    url: app.url,
    connections: CONFIG.connections,
    duration: seconds,
    headers: app.variant.headers,
  };
  if (app.variant.sessionFromHeader) {
    // Prebuilt requests (no setupRequest), so varying the id costs the load generator nothing per request.
    options.requests = sessionIds.map((id) => ({ method: 'GET', path: '/', headers: { ...app.variant.headers, [SESSION_HEADER]: id } }));
  }
  return options;
}

interface RoundResult {
  rps: number;
  p50: number;
  p99: number;
  non2xxShare: number;
  errors: number;
  /** Share of the round's wall time the app process spent on CPU (1 = its core was saturated). */
  serverCpu: number;
  /** The app's CPU time per request, in µs: unlike req/s, barely moved by other processes taking turns on the core. */
  cpuUsPerRequest: number;
}

async function loadRound(app: App, seconds: number, sessionIds: string[]): Promise<RoundResult> {
  await ask(app, 'cpu');
  const result = await autocannon(loadOptions(app, seconds, sessionIds));
  const cpu = await ask<{ cpuMs: number; wallMs: number }>(app, 'cpu');
  const total = result.requests.total;
  return {
    rps: total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xxShare: total ? result.non2xx / total : 0,
    errors: result.errors + result.timeouts,
    serverCpu: cpu.cpuMs / cpu.wallMs,
    cpuUsPerRequest: total ? (cpu.cpuMs * 1000) / total : 0,
  };
}

interface LoadSummary {
  variant: VariantName;
  label: string;
  rounds: RoundResult[];
  medianRps: number;
  p50: number;
  p99: number;
  ratioToA: number;
  non2xxShare: number;
  serverCpu: number;
  cpuUsPerRequest: number;
  /** A's CPU per request over this variant's: the req/s ratio the app would reach with its core to itself. */
  cpuRatioToA: number;
}

async function runLoad(): Promise<LoadSummary[]> {
  const variants = VARIANTS.filter((variant) => !ONLY || ONLY.includes(variant.name) || variant.name === 'A');
  const place = (name: VariantName): number => (name === 'R' ? 3.5 : VARIANTS.findIndex((variant) => variant.name === name));
  variants.sort((a, b) => place(a.name) - place(b.name)); // R next to D in the table
  const { ids } = await rolloutSessionIds(64);
  log(`starting ${variants.length} app processes on CPU ${CONFIG.serverCpu}`);
  const apps = await Promise.all(variants.map((variant) => startApp(variant)));
  const rounds = new Map<VariantName, RoundResult[]>(variants.map((variant) => [variant.name, []]));
  try {
    log(`warm-up: ${CONFIG.warmupSeconds} s per variant`);
    for (const app of apps) await loadRound(app, CONFIG.warmupSeconds, ids);
    for (let r = 0; r < CONFIG.rounds; r += 1) {
      // Rotate the order each round so no variant always follows the same neighbour.
      const order = apps.map((_, i) => apps[(i + r) % apps.length]!);
      const line: string[] = [];
      for (const app of order) {
        const result = await loadRound(app, CONFIG.roundSeconds, ids);
        rounds.get(app.variant.name)!.push(result);
        line.push(`${app.variant.name} ${round(result.rps)}`);
      }
      log(`round ${r + 1}/${CONFIG.rounds}: ${line.join('  ')}`);
    }
  } finally {
    await Promise.all(apps.map(stopApp));
  }
  const baseline = median(rounds.get('A')!.map((result) => result.rps));
  const baselineCpu = median(rounds.get('A')!.map((result) => result.cpuUsPerRequest));
  return variants.map((variant) => {
    const results = rounds.get(variant.name)!;
    const medianRps = median(results.map((result) => result.rps));
    const cpuUsPerRequest = median(results.map((result) => result.cpuUsPerRequest));
    return {
      variant: variant.name,
      label: variant.label,
      rounds: results.map((result) => ({
        ...result,
        rps: round(result.rps),
        serverCpu: round(result.serverCpu, 2),
        non2xxShare: round(result.non2xxShare, 3),
        cpuUsPerRequest: round(result.cpuUsPerRequest, 1),
      })),
      medianRps: round(medianRps),
      p50: median(results.map((result) => result.p50)),
      p99: median(results.map((result) => result.p99)),
      ratioToA: round(medianRps / baseline, 3),
      non2xxShare: round(median(results.map((result) => result.non2xxShare)), 3),
      serverCpu: round(median(results.map((result) => result.serverCpu)), 2),
      cpuUsPerRequest: round(cpuUsPerRequest, 1),
      cpuRatioToA: round(baselineCpu / cpuUsPerRequest, 3),
    };
  });
}

// ---------------------------------------------------------------------------------------------- per-request cost

interface MicroSummary {
  variant: VariantName;
  path: string;
  ownNs: number;
  spreadNs: [number, number];
  baselineNs: number;
}

async function runMicro(): Promise<{ results: MicroSummary[]; unleashCalls: UnleashCall[] }> {
  log('per-request cost: tight loop over the middleware with real Koa contexts (CPU 1)');
  const child = spawn('taskset', ['-c', CONFIG.serverCpu, process.execPath, '--expose-gc', '--import', 'tsx', here('micro.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const reply = await nextMessage<{ results: MicroSummary[]; unleashCalls: UnleashCall[] }>(child, 'results');
  await new Promise((resolve) => child.once('exit', resolve));
  return reply;
}

interface UnleashCall {
  variant: VariantName;
  call: string;
  ns: number;
}

// ---------------------------------------------------------------------------------------------- memory

interface MemoryView {
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
}

interface MemorySummary {
  requests: number;
  seconds: number;
  rps: number;
  non503: number;
  /** After each chunk, forced GC first: a leak shows as a steady climb, warm-up growth as a step that stops. */
  trend: ({ requests: number } & MemoryView)[];
  before: MemoryView;
  after: MemoryView;
  rssGrowthMB: number;
  heapUsedGrowthMB: number;
  complete: boolean;
}

const mb = (bytes: number): number => round(bytes / 1048576, 1);
const memoryView = (memory: NodeJS.MemoryUsage): MemoryView => ({
  rssMB: mb(memory.rss),
  heapUsedMB: mb(memory.heapUsed),
  heapTotalMB: mb(memory.heapTotal),
  externalMB: mb(memory.external),
});

async function runMemory(): Promise<MemorySummary> {
  const app = await startApp(variantByName('D'));
  const load = (amount: number): Promise<autocannon.Result> => autocannon({
    url: app.url,
    connections: CONFIG.connections,
    pipelining: CONFIG.memoryPipelining,
    amount,
    headers: app.variant.headers,
    timeout: 30,
  });
  try {
    // Warm up first (JIT, page cache, socket buffers), so "before" is the steady state, not the empty process.
    await load(100_000);
    const before = await ask<{ memory: NodeJS.MemoryUsage }>(app, 'memory');
    if (process.env.BENCH_DEBUG) log('memory: before taken');
    log(`memory: ${CONFIG.memoryRequests} requests through D (pipelining ${CONFIG.memoryPipelining}), in 4 chunks`);
    const trend: MemorySummary['trend'] = [];
    let requests = 0;
    let seconds = 0;
    let blocked = 0;
    let after = before;
    const chunk = Math.ceil(CONFIG.memoryRequests / 4);
    // Four chunks of `amount` requests each (autocannon's own count can come out a few hundred short of
    // `amount` with pipelining, so the loop counts chunks, not responses).
    for (let sent = 0; sent < CONFIG.memoryRequests; sent += chunk) {
      if (Date.now() - started > CONFIG.memoryDeadlineSeconds * 1000) {
        log(`memory: stopped after ${requests} requests to stay within the run's time budget`);
        break;
      }
      const result = await load(Math.min(chunk, CONFIG.memoryRequests - sent));
      if (process.env.BENCH_DEBUG) log(`memory chunk: ${result.requests.total} in ${result.duration} s`);
      requests += result.requests.total;
      seconds += result.duration;
      blocked += result.statusCodeStats['503']?.count ?? 0;
      after = await ask<{ memory: NodeJS.MemoryUsage }>(app, 'memory');
      trend.push({ requests, ...memoryView(after.memory) });
    }
    return {
      requests,
      seconds: round(seconds, 1),
      rps: round(requests / seconds),
      non503: requests - blocked,
      trend,
      before: memoryView(before.memory),
      after: memoryView(after.memory),
      rssGrowthMB: mb(after.memory.rss - before.memory.rss),
      heapUsedGrowthMB: mb(after.memory.heapUsed - before.memory.heapUsed),
      complete: trend.length === 4,
    };
  } finally {
    await stopApp(app);
  }
}

// ---------------------------------------------------------------------------------------------- report

const TARGETS: Partial<Record<VariantName, number>> = { B: 0.98, C: 0.97, D: 0.95, E: 0.97, F: 0.95, G: 0.95 };
const MICRO_TARGET_NS: Record<string, number> = { off: 1000, blocked: 5000 };
const RSS_TARGET_MB = 10;
const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');

function printLoad(load: LoadSummary[]): void {
  console.log('\nLoad (autocannon, %d connections, %d rounds x %d s, medians; server pinned to CPU %s, client to CPU %s)',
    CONFIG.connections, CONFIG.rounds, CONFIG.roundSeconds, CONFIG.serverCpu, CONFIG.clientCpu);
  console.table(load.map((entry) => ({
    variant: `${entry.variant}: ${entry.label}`,
    'req/s': entry.medianRps,
    'p50 ms': entry.p50,
    'p99 ms': entry.p99,
    'ratio to A': entry.ratioToA,
    target: TARGETS[entry.variant] ? `>= ${TARGETS[entry.variant]} ${verdict(entry.ratioToA >= TARGETS[entry.variant]!)}` : entry.variant === 'A' ? 'baseline' : 'reference',
    '503 share': entry.non2xxShare,
    'app CPU use': entry.serverCpu,
    'app CPU µs/req': entry.cpuUsPerRequest,
    'CPU ratio to A': entry.cpuRatioToA,
  })));
}

function printMicro({ results: micro, unleashCalls }: { results: MicroSummary[]; unleashCalls: UnleashCall[] }): void {
  console.log('\nMiddleware own CPU time per request (loop with the middleware minus the same loop with a no-op middleware;');
  console.log("'koa-layer': koa-compose with [no-op, route] minus [route], what Koa charges for any one more middleware)");
  console.table(micro.map((entry) => ({
    variant: entry.variant,
    path: entry.path,
    'own ns': entry.ownNs,
    'spread ns (min..max of pairs)': `${entry.spreadNs[0]}..${entry.spreadNs[1]}`,
    'no-op loop ns': entry.baselineNs,
    target: MICRO_TARGET_NS[entry.path] ? `<= ${MICRO_TARGET_NS[entry.path]} ${verdict(entry.ownNs <= MICRO_TARGET_NS[entry.path]!)}` : '',
  })));
  console.log('Unleash alone, per call, in the same kind of loop (part of the rows above):');
  console.table(unleashCalls);
}

function printMemory(memory: MemorySummary): void {
  console.log('\nMemory: %d requests through D in %d s (%d req/s, %d not 503)', memory.requests, memory.seconds, memory.rps, memory.non503);
  console.table([{ requests: 0, ...memory.before }, ...memory.trend]);
  console.log('RSS growth %d MB (target < %d MB: %s), heap used growth %d MB', memory.rssGrowthMB, RSS_TARGET_MB,
    verdict(memory.rssGrowthMB < RSS_TARGET_MB), memory.heapUsedGrowthMB);
}

pin(process.pid, CONFIG.clientCpu);
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version, platform: process.platform },
  config: CONFIG,
};
if (PARTS.has('load')) {
  const load = await runLoad();
  results.load = load;
  printLoad(load);
}
if (PARTS.has('micro')) {
  const micro = await runMicro();
  results.micro = micro;
  printMicro(micro);
}
if (PARTS.has('memory')) {
  const memory = await runMemory();
  results.memory = memory;
  printMemory(memory);
}
results.wallSeconds = round((Date.now() - started) / 1000, 1);
if (PARTS.size === 3 && !ONLY) writeFileSync(here('results.json'), `${JSON.stringify(results, null, 2)}\n`);
log(`done in ${results.wallSeconds} s${PARTS.size === 3 && !ONLY ? '; wrote bench/results.json' : ''}`);
