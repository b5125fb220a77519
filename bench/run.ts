/**
 * `npm run bench`: load, per-request cost and memory of the BUILT package (dist/, or BENCH_DIST), in one run.
 *
 * CPU layout on a 2-core machine: this process (autocannon, the load generator) is pinned to CPU 0 and
 * every app process to CPU 1, so client and server never steal each other's core and the server's core
 * is the bottleneck (each round reports the server's CPU use to show it). Apps listen on 127.0.0.1 only.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import {
  builtLibraryPath, LOAD_TARGETS, microTableRow, rolloutSessionIds, SESSION_HEADER, twinOf, VARIANTS, variantByName, type MicroResult, type Variant, type VariantName,
} from './variants.js';

// The app processes and the loop run with the repository as their working directory: hand them an absolute path.
if (process.env.BENCH_DIST) process.env.BENCH_DIST = resolve(process.env.BENCH_DIST);
if (!existsSync(builtLibraryPath())) {
  throw new Error(`no build at ${builtLibraryPath()}: run \`npm run build\` (or \`npx tsup\` in that tree) first`);
}

const env = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const CONFIG = {
  rounds: env('BENCH_ROUNDS', 8),
  warmupSeconds: env('BENCH_WARMUP', 2),
  roundSeconds: env('BENCH_DURATION', 1.5),
  connections: env('BENCH_CONNECTIONS', 50),
  memoryRequests: env('BENCH_MEMORY_REQUESTS', 1_000_000),
  memoryPipelining: 10,
  /** The memory run stops between chunks once the whole run has taken this long (the budget is about 4 minutes). */
  memoryDeadlineSeconds: env('BENCH_MEMORY_DEADLINE', 250),
  clientCpu: '0',
  serverCpu: '1',
  /** The build under test (BENCH_DIST or dist/index.js); every app process and the loop import this file. */
  dist: builtLibraryPath(),
};
const ALL_PARTS = ['load', 'micro', 'memory', 'pause'];
const PARTS = new Set((process.env.BENCH_PARTS ?? ALL_PARTS.join(',')).split(','));
const ONLY = process.env.BENCH_VARIANTS ? process.env.BENCH_VARIANTS.split(',') : undefined;
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const ROOT = here('..');
/**
 * Where results.json goes: BENCH_RESULTS if set (any parts); else bench/results.json, but only for a full run of
 * this repository's own dist/ (all parts, all variants), so a partial run or another build never overwrites it.
 */
const RESULTS_FILE = process.env.BENCH_RESULTS
  ? resolve(process.env.BENCH_RESULTS)
  : ALL_PARTS.every((part) => PARTS.has(part)) && !ONLY && !process.env.BENCH_DIST ? here('results.json') : undefined;
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
  return { variant, child, url: `http://127.0.0.1:${port}${variant.path ?? '/'}` };
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
    // autocannon only notices the end of `duration` at a sample tick (every 1000 ms by default), so a 1.5 s round
    // would run 2 s; sampling every 100 ms ends it within 0.1 s of `duration`. Only the totals are used.
    sampleInt: 100,
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

/**
 * One variant under load. The headline is CPU time per request (`cpuUsPerRequest`, median of the rounds) and its
 * ratios; req/s and latency follow as information, since other processes on the app's core move them.
 */
interface LoadSummary {
  variant: VariantName;
  label: string;
  /** The app's CPU time per request in µs, median of the rounds. */
  cpuUsPerRequest: number;
  /** Lowest and highest of the rounds' CPU µs per request. */
  cpuUsPerRequestRange: [number, number];
  /** A's CPU per request over this variant's: the req/s ratio the app would reach with its core to itself. */
  cpuRatioToA: number;
  /** The bare app sending this variant's exact answer (R for D, S for E), and its CPU per request over this one's. */
  twin?: VariantName;
  cpuRatioToTwin?: number;
  /** The target (see LOAD_TARGETS), the ratio it is checked on, and whether it is met. */
  target?: { ratio: number; against: VariantName; value: number | null; met: boolean | null };
  /**
   * The same ratio (to the target's reference, else to A) taken round by round (the two apps ran in the same
   * round): lowest, median, highest. How far a single round strays; the headline ratio is of the medians.
   */
  roundRatios?: [number, number, number];
  medianRps: number;
  /** req/s over A's (medians): information only. */
  ratioToA: number;
  p50: number;
  p99: number;
  non2xxShare: number;
  serverCpu: number;
  rounds: RoundResult[];
}

/** Whether each twin answered exactly as the variant it replays (status, headers but Date, body), checked over HTTP. */
interface TwinCheck {
  variant: VariantName;
  twin: VariantName;
  same: boolean;
  differences: string[];
}

/** One GET over loopback with the variant's headers: status, headers and body as received. */
function fetchOnce(app: App): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(app.url, { headers: app.variant.headers, agent: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) headers[name] = String(value);
        resolvePromise({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('latin1') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${app.variant.name} within 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Each running twin against its variant: one request each, compared byte for byte (Date and Connection aside). */
async function checkTwins(apps: App[]): Promise<TwinCheck[]> {
  const checks: TwinCheck[] = [];
  for (const app of apps) {
    const twinName = twinOf(app.variant.name);
    const twin = apps.find((candidate) => candidate.variant.name === twinName);
    if (!twinName || !twin) continue;
    const [original, copy] = [await fetchOnce(app), await fetchOnce(twin)];
    const differences: string[] = [];
    if (original.status !== copy.status) differences.push(`status ${original.status} vs ${copy.status}`);
    const ignored = new Set(['date', 'connection', 'keep-alive']);
    for (const name of new Set([...Object.keys(original.headers), ...Object.keys(copy.headers)])) {
      if (ignored.has(name) || original.headers[name] === copy.headers[name]) continue;
      differences.push(`${name}: ${JSON.stringify(original.headers[name])} vs ${JSON.stringify(copy.headers[name])}`);
    }
    if (original.body !== copy.body) differences.push(`body (${original.body.length} vs ${copy.body.length} bytes)`);
    checks.push({ variant: app.variant.name, twin: twinName, same: differences.length === 0, differences });
    log(differences.length === 0
      ? `twin check: ${twinName} answers exactly as ${app.variant.name} (${original.status}, ${original.body.length} bytes)`
      : `TWIN CHECK FAILED: ${twinName} differs from ${app.variant.name}: ${differences.join('; ')}`);
  }
  return checks;
}

async function runLoad(): Promise<{ summaries: LoadSummary[]; twinChecks: TwinCheck[] }> {
  // A always runs, and so does the twin of every variant asked for (its target is against the twin).
  const asked = (name: VariantName): boolean => !ONLY || ONLY.includes(name);
  const variants = VARIANTS.filter((variant) => variant.name === 'A' || asked(variant.name) || (variant.replays !== undefined && asked(variant.replays)));
  const place = (name: VariantName): number => {
    const replays = variantByName(name).replays;
    return replays ? place(replays) + 0.5 : VARIANTS.findIndex((variant) => variant.name === name);
  };
  variants.sort((a, b) => place(a.name) - place(b.name)); // each twin next to the variant it replays
  const { ids } = await rolloutSessionIds(64);
  log(`build under test: ${CONFIG.dist}`);
  log(`starting ${variants.length} app processes on CPU ${CONFIG.serverCpu}`);
  const apps = await Promise.all(variants.map((variant) => startApp(variant)));
  const rounds = new Map<VariantName, RoundResult[]>(variants.map((variant) => [variant.name, []]));
  let twinChecks: TwinCheck[] = [];
  try {
    twinChecks = await checkTwins(apps);
    log(`warm-up: ${CONFIG.warmupSeconds} s per variant`);
    for (const app of apps) await loadRound(app, CONFIG.warmupSeconds, ids);
    for (let r = 0; r < CONFIG.rounds; r += 1) {
      // Rotate the order each round so no variant always follows the same neighbour.
      const order = apps.map((_, i) => apps[(i + r) % apps.length]!);
      const line: string[] = [];
      for (const app of order) {
        const result = await loadRound(app, CONFIG.roundSeconds, ids);
        rounds.get(app.variant.name)!.push(result);
        line.push(`${app.variant.name} ${result.cpuUsPerRequest.toFixed(1)}`);
      }
      log(`round ${r + 1}/${CONFIG.rounds}, app CPU µs/req: ${line.join('  ')}`);
    }
  } finally {
    await Promise.all(apps.map(stopApp));
  }
  const cpuOf = (name: VariantName): number => median(rounds.get(name)!.map((result) => result.cpuUsPerRequest));
  const baseline = median(rounds.get('A')!.map((result) => result.rps));
  const summaries = variants.map((variant): LoadSummary => {
    const results = rounds.get(variant.name)!;
    const cpu = cpuOf(variant.name);
    const twin = twinOf(variant.name);
    const twinRan = twin !== undefined && rounds.has(twin);
    const cpuRatioToTwin = twinRan ? round(cpuOf(twin) / cpu, 3) : undefined;
    const cpuRatioToA = round(cpuOf('A') / cpu, 3);
    const goal = LOAD_TARGETS[variant.name];
    const reference: VariantName | undefined = goal?.against === 'twin' ? twin : variant.name === 'A' ? undefined : 'A';
    const referenceRan = reference !== undefined && rounds.has(reference);
    const value = reference === 'A' ? cpuRatioToA : cpuRatioToTwin;
    // Per round: rounds run every variant once, so round r of the variant and of its reference are neighbours in time.
    const perRound = referenceRan ? results.map((result, r) => rounds.get(reference)![r]!.cpuUsPerRequest / result.cpuUsPerRequest) : [];
    return {
      variant: variant.name,
      label: variant.label,
      cpuUsPerRequest: round(cpu, 1),
      cpuUsPerRequestRange: [round(Math.min(...results.map((result) => result.cpuUsPerRequest)), 1), round(Math.max(...results.map((result) => result.cpuUsPerRequest)), 1)],
      cpuRatioToA,
      ...(twin ? { twin } : {}),
      ...(cpuRatioToTwin === undefined ? {} : { cpuRatioToTwin }),
      ...(goal && reference ? { target: { ratio: goal.ratio, against: reference, value: value ?? null, met: value === undefined ? null : value >= goal.ratio } } : {}),
      ...(perRound.length ? { roundRatios: [round(Math.min(...perRound), 3), round(median(perRound), 3), round(Math.max(...perRound), 3)] as [number, number, number] } : {}),
      medianRps: round(median(results.map((result) => result.rps))),
      ratioToA: round(median(results.map((result) => result.rps)) / baseline, 3),
      p50: median(results.map((result) => result.p50)),
      p99: median(results.map((result) => result.p99)),
      non2xxShare: round(median(results.map((result) => result.non2xxShare)), 3),
      serverCpu: round(median(results.map((result) => result.serverCpu)), 2),
      rounds: results.map((result) => ({
        ...result,
        rps: round(result.rps),
        serverCpu: round(result.serverCpu, 2),
        non2xxShare: round(result.non2xxShare, 3),
        cpuUsPerRequest: round(result.cpuUsPerRequest, 2),
      })),
    };
  });
  return { summaries, twinChecks };
}

// ---------------------------------------------------------------------------------------------- per-request cost

type MicroSummary = MicroResult;

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

// ---------------------------------------------------------------------------------------------- pause mode

interface PauseSummary {
  heldThenReleased: { ownNs: number; spreadNs: [number, number]; outcome: string };
  blocked: { ownNs: number; spreadNs: [number, number]; outcome: string };
  memory: {
    held: number;
    heapMB: Record<'empty' | 'idle' | 'slow' | 'held' | 'after', number>;
    rssMB: Record<'empty' | 'idle' | 'slow' | 'held' | 'after', number>;
    heapPerHeld: number;
    heapPerIdleConnection: number;
    heapPerSlowRequest: number;
    rssPerHeld: number;
    rssPerIdleConnection: number;
    releaseAllMs: number;
  };
}

async function runPause(): Promise<PauseSummary> {
  log('pause mode: own time of a held-then-released request, memory of 10,000 held (CPU 1)');
  const child = spawn('taskset', ['-c', CONFIG.serverCpu, process.execPath, '--expose-gc', '--import', 'tsx', here('pause.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const reply = await nextMessage<{ results: PauseSummary }>(child, 'results');
  await new Promise((resolve) => child.once('exit', resolve));
  return reply.results;
}

// ---------------------------------------------------------------------------------------------- report

const RSS_TARGET_MB = 10;
const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');

function printLoad(load: LoadSummary[]): void {
  console.log('\nLoad (autocannon, %d connections, %d rounds x %s s, medians; app pinned to CPU %s, client to CPU %s)',
    CONFIG.connections, CONFIG.rounds, CONFIG.roundSeconds, CONFIG.serverCpu, CONFIG.clientCpu);
  console.log('Headline: app CPU time per request, and reference CPU/req over the variant\'s (higher is better, 1 = costs nothing).');
  console.log('Targets: B, C, F against A; D against R, E against S (twins: bare Koa sending the same answer). req/s is information.');
  console.table(load.map((entry) => ({
    variant: `${entry.variant}: ${entry.label}`,
    'CPU µs/req': entry.cpuUsPerRequest,
    'rounds µs/req': `${entry.cpuUsPerRequestRange[0]}..${entry.cpuUsPerRequestRange[1]}`,
    'CPU ratio to A': entry.variant === 'A' ? 1 : entry.cpuRatioToA,
    'CPU ratio to twin': entry.cpuRatioToTwin === undefined ? '' : `${entry.cpuRatioToTwin} (${entry.twin})`,
    target: targetText(entry),
    'per round (min med max)': entry.roundRatios ? entry.roundRatios.join(' ') : '',
    'req/s': entry.medianRps,
    'req/s ratio to A': entry.ratioToA,
    'p50/p99 ms': `${entry.p50}/${entry.p99}`,
    '503 share': entry.non2xxShare,
    'app CPU use': entry.serverCpu,
  })));
}

function targetText(entry: LoadSummary): string {
  if (!entry.target) return entry.variant === 'A' ? 'baseline' : entry.variant === 'R' || entry.variant === 'S' ? 'twin' : '';
  const { ratio, against, value, met } = entry.target;
  if (value === null || met === null) return `>= ${ratio} vs ${against}: ${against} not run`;
  return `>= ${ratio} vs ${against} ${verdict(met)}`;
}

function printMicro({ results: micro, unleashCalls }: { results: MicroSummary[]; unleashCalls: UnleashCall[] }): void {
  console.log('\nMiddleware own CPU time per request (loop with the middleware minus the same loop with a no-op middleware;');
  console.log("'koa-layer': koa-compose with [no-op, route] minus [route], what Koa charges for any one more middleware)");
  console.table(micro.map(microTableRow));
  console.log('Unleash alone, per call, in the same kind of loop (part of the rows above):');
  console.table(unleashCalls);
}

function printMemory(memory: MemorySummary): void {
  console.log('\nMemory: %d requests through D in %d s (%d req/s, %d not 503)', memory.requests, memory.seconds, memory.rps, memory.non503);
  console.table([{ requests: 0, ...memory.before }, ...memory.trend]);
  console.log('RSS growth %d MB (target < %d MB: %s), heap used growth %d MB', memory.rssGrowthMB, RSS_TARGET_MB,
    verdict(memory.rssGrowthMB < RSS_TARGET_MB), memory.heapUsedGrowthMB);
}

function printPause(pause: PauseSummary): void {
  console.log('\nPause mode: own CPU time per request in batches of 100 held then released (loop minus a no-op middleware)');
  console.table([
    { path: 'held, then released', outcome: pause.heldThenReleased.outcome, 'own ns': pause.heldThenReleased.ownNs, 'spread ns': pause.heldThenReleased.spreadNs.join('..') },
    { path: 'blocked (block mode)', outcome: pause.blocked.outcome, 'own ns': pause.blocked.ownNs, 'spread ns': pause.blocked.spreadNs.join('..') },
  ]);
  const { memory } = pause;
  console.log('Memory of %d held requests (after forced GCs): heap %d B and RSS %d B per held request over the empty server, of which the open connection itself %d B and %d B;',
    memory.held, memory.heapPerHeld, memory.rssPerHeld, memory.heapPerIdleConnection, memory.rssPerIdleConnection);
  console.log('the same request kept waiting by the app\'s own route: heap %d B (holding adds %d B); all %d released in %d ms',
    memory.heapPerSlowRequest, memory.heapPerHeld - memory.heapPerSlowRequest, memory.held, memory.releaseAllMs);
  console.table([{ '': 'heap MB', ...memory.heapMB }, { '': 'RSS MB', ...memory.rssMB }]);
}

pin(process.pid, CONFIG.clientCpu);
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version, platform: process.platform },
  config: CONFIG,
};
if (PARTS.has('load')) {
  const { summaries, twinChecks } = await runLoad();
  results.headline = 'load: cpuUsPerRequest and its ratios (cpuRatioToA, cpuRatioToTwin, target.value); req/s is information';
  results.load = summaries;
  results.twinChecks = twinChecks;
  printLoad(summaries);
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
if (PARTS.has('pause')) {
  const pause = await runPause();
  results.pause = pause;
  printPause(pause);
}
results.wallSeconds = round((Date.now() - started) / 1000, 1);
if (RESULTS_FILE) writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
log(`done in ${results.wallSeconds} s${RESULTS_FILE ? `; wrote ${RESULTS_FILE}` : '; results.json not written (partial run or BENCH_DIST; set BENCH_RESULTS to write one)'}`);
