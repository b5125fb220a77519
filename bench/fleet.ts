/**
 * `npm run bench:fleet`: how far one Unleash server carries a fleet. Starts the dev harness's real
 * unleash-server (feature caching on, as in production; Postgres as in the tests), then for each case N real
 * unleash-client instances polling every R ms, their polls spread evenly, in worker processes. It measures the
 * server's CPU share over a steady 10 s, then toggles the flag on and off and reports, per direction, how long
 * the fleet took to answer the new state (p50, p99, max from the toggle's request). Loopback only; every wait
 * is bounded. Writes bench/fleet.json and prints the Markdown table of bench/README.md.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startUnleashStack, waitFor, type UnleashStack } from '../dev/unleash/index.js';

interface FleetCase {
  clients: number;
  refreshMs: number;
}

interface Propagation {
  p50: number;
  p99: number;
  max: number;
  /** Clients that had not answered the new state by the deadline. */
  missing: number;
}

interface CaseResult extends FleetCase {
  /** unleash-server's CPU time over the steady window, as a share of one core. */
  serverCpuShare: number;
  /** Client polls the server answered per second in that window (the fleet's request rate). */
  pollsPerSecond: number;
  on: Propagation;
  off: Propagation;
}

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const WORKERS = Number(process.env.BENCH_FLEET_WORKERS ?? 2);
const STEADY_MS = Number(process.env.BENCH_FLEET_STEADY_MS ?? 10_000);
const CASES: FleetCase[] = (process.env.BENCH_FLEET ?? '50@1,200@1,400@1,400@5').split(',').map((entry) => {
  const [clients, seconds] = entry.split('@');
  return { clients: Number(clients), refreshMs: Number(seconds) * 1000 };
});
const TICKS_PER_SECOND = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in these

const log = (line: string): void => console.log(`[fleet] ${line}`);
const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime (fields 14 and 15)
}

function nextMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`no ${type} from a fleet worker within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: { type: string }): void => {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.on('message', onMessage);
  });
}

/** Toggles the flag and waits until every client answers it (or the deadline): times from the toggle's request. */
async function toggle(stack: UnleashStack, flag: string, workers: ChildProcess[], enabled: boolean, deadlineMs: number): Promise<Propagation> {
  const seen = workers.map((worker) => nextMessage<{ times: (number | undefined)[] }>(worker, 'seen', deadlineMs).catch(() => undefined));
  const startedAt = Date.now();
  await stack.admin.setEnabled(flag, 'production', enabled);
  for (const worker of workers) worker.send({ type: 'expect', enabled });
  const answers = await Promise.all(seen);
  const times: number[] = [];
  let missing = 0;
  for (const answer of answers) {
    if (!answer) {
      missing += 1;
      continue;
    }
    for (const time of answer.times) if (time === undefined) missing += 1; else times.push(time - startedAt);
  }
  times.sort((a, b) => a - b);
  if (times.length === 0) return { p50: NaN, p99: NaN, max: NaN, missing };
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1]!, missing };
}

async function runCase(stack: UnleashStack, fleet: FleetCase, index: number): Promise<CaseResult> {
  const flag = `fleet-${index}-${fleet.clients}-${fleet.refreshMs}`;
  await stack.admin.createFlag(flag);
  await stack.admin.addStrategy(flag, 'production', { name: 'default' });
  const workers = Array.from({ length: WORKERS }, () => fork(here('fleet-worker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  try {
    const counts = workers.map((_, w) => Math.floor(fleet.clients / WORKERS) + (w < fleet.clients % WORKERS ? 1 : 0));
    const ready = workers.map((worker) => nextMessage(worker, 'ready', fleet.refreshMs * 3 + 60_000));
    workers.forEach((worker, w) => worker.send({
      type: 'start', url: stack.url, token: stack.tokens.production, flag, count: counts[w], refreshMs: fleet.refreshMs, offset: w, stride: WORKERS, fleetSize: fleet.clients,
    }));
    await Promise.all(ready);
    log(`${fleet.clients} clients at ${fleet.refreshMs / 1000} s: all synchronized; steady ${STEADY_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, fleet.refreshMs)); // one interval to settle the spread
    const pid = stack.serverPid()!;
    const cpuBefore = cpuSeconds(pid);
    const wallBefore = Date.now();
    await new Promise((resolve) => setTimeout(resolve, STEADY_MS));
    const serverCpuShare = (cpuSeconds(pid) - cpuBefore) / ((Date.now() - wallBefore) / 1000);
    const deadlineMs = fleet.refreshMs * 3 + 10_000;
    const on = await toggle(stack, flag, workers, true, deadlineMs);
    const off = await toggle(stack, flag, workers, false, deadlineMs);
    return { ...fleet, serverCpuShare: Number(serverCpuShare.toFixed(3)), pollsPerSecond: Math.round((fleet.clients * 1000) / fleet.refreshMs), on, off };
  } finally {
    for (const worker of workers) if (worker.connected) worker.send({ type: 'stop' });
    await Promise.all(workers.map((worker) => (worker.exitCode === null ? new Promise((resolve) => worker.once('exit', resolve)) : undefined)));
    await stack.admin.deleteFlag(flag);
  }
}

function table(results: readonly CaseResult[]): string {
  const ms = (value: number): string => (Number.isNaN(value) ? '–' : (value / 1000).toFixed(2));
  const rows = results.map((result) =>
    `| ${result.clients} | ${result.refreshMs / 1000} s | ${result.pollsPerSecond} | ${(result.serverCpuShare * 100).toFixed(0)} % | ${ms(result.on.p50)} / ${ms(result.on.p99)} / ${ms(result.on.max)} | ${ms(result.off.p50)} / ${ms(result.off.p99)} / ${ms(result.off.max)} |${result.on.missing + result.off.missing ? ` ${result.on.missing + result.off.missing} missed |` : ''}`,
  );
  return ['| clients | refreshInterval | polls/s | server CPU (one core) | on: p50 / p99 / max s | off: p50 / p99 / max s |', '|---:|---:|---:|---:|---|---|', ...rows].join('\n');
}

const started = Date.now();
log(`starting unleash-server (feature caching on) for ${CASES.map((fleet) => `${fleet.clients}@${fleet.refreshMs / 1000}s`).join(', ')}; ${WORKERS} worker processes`);
const stack = await startUnleashStack({ logLevel: 'error', featureCaching: true });
const results: CaseResult[] = [];
try {
  await waitFor(() => stack.serverPid(), { description: 'the Unleash process', timeoutMs: 5_000 });
  for (const [index, fleet] of CASES.entries()) {
    const result = await runCase(stack, fleet, index);
    results.push(result);
    log(`${fleet.clients} @ ${fleet.refreshMs / 1000} s: server ${(result.serverCpuShare * 100).toFixed(0)} % of a core; on p99 ${result.on.p99} ms, off p99 ${result.off.p99} ms`);
  }
} finally {
  await stack.stop();
}
const report = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  unleashServer: JSON.parse(readFileSync(new URL('../node_modules/unleash-server/package.json', import.meta.url), 'utf8')).version as string,
  featureCaching: true,
  workers: WORKERS,
  steadySeconds: STEADY_MS / 1000,
  results,
  wallSeconds: Math.round((Date.now() - started) / 1000),
};
if (!process.env.BENCH_FLEET) writeFileSync(here('fleet.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\n${table(results)}\n`);
log(`done in ${report.wallSeconds} s${process.env.BENCH_FLEET ? '' : '; wrote bench/fleet.json'}`);
