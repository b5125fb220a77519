/**
 * Profiling aid (not part of `npm run bench`): runs one variant's middleware in the micro-benchmark loop for
 * a few seconds so `--cpu-prof` sees only the middleware's per-request work, then prints the top functions
 * by self time from the profile it finds in the given directory.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts D   # writes the profile
 *   node --import tsx bench/profile.ts --summary /tmp/prof                    # summarises the biggest one
 *   node --import tsx bench/profile.ts --server D 5 /tmp/sprof                # profiles an app process under load
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createApp } from './app.js';
import { rolloutSessionIds, SESSION_HEADER, variantByName } from './variants.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/**
 * Top functions by self time and by total time (self plus callees, each sample counted once per function
 * even under recursion), as percentages of all samples.
 */
export function summarise(file: string, top = 30): { self: number; total: number; fn: string }[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const all = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const name = (node: ProfileNode): string => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/main\//, '')}:${lineNumber + 1}` : '';
    return `${functionName || '(anonymous)'} ${where}`.trim();
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const walk = (id: number, onStack: Set<string>): number => {
    const node = nodes.get(id)!;
    const key = name(node);
    const hits = node.hitCount ?? 0;
    self.set(key, (self.get(key) ?? 0) + hits);
    const inner = new Set(onStack).add(key);
    let sum = hits;
    for (const child of node.children ?? []) sum += walk(child, inner);
    if (!onStack.has(key)) total.set(key, (total.get(key) ?? 0) + sum);
    return sum;
  };
  walk(profile.nodes[0]!.id, new Set());
  const pct = (hits: number): number => Number(((100 * hits) / all).toFixed(1));
  const bySelf = [...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn]) => fn);
  const byTotal = [...total].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn]) => fn);
  return [...new Set([...bySelf, ...byTotal])]
    .map((fn) => ({ self: pct(self.get(fn) ?? 0), total: pct(total.get(fn) ?? 0), fn }))
    .sort((a, b) => b.total - a.total);
}

function printNewest(dir: string): void {
  const newest = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(dir, name)).sort((a, b) => statSync(b).size - statSync(a).size)[0]; // the main thread (tsx adds a loader thread)
  if (!newest) throw new Error(`no .cpuprofile in ${dir}`);
  console.log(newest);
  console.table(summarise(newest));
}

if (process.argv[2] === '--summary') {
  printNewest(process.argv[3] ?? '.');
} else if (process.argv[2] === '--server') {
  // The app process under autocannon load (CPU 1 for the app, CPU 0 for the load), profiled from start to stop.
  const variant = variantByName(process.argv[3] ?? 'D');
  const seconds = Number(process.argv[4] ?? 5);
  const dir = process.argv[5] ?? '/tmp/bench-server-profile';
  const server = fileURLToPath(new URL('server.ts', import.meta.url));
  const child = spawn('taskset', ['-c', '1', process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', server, variant.name], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) => child.on('message', (message: { type: string; port: number }) => {
    if (message.type === 'ready') resolve(message.port);
  }));
  const { ids } = await rolloutSessionIds(64);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${variant.path ?? '/'}`,
    connections: 50,
    duration: seconds,
    headers: variant.headers,
    ...(variant.sessionFromHeader ? { requests: ids.map((id) => ({ method: 'GET', path: '/', headers: { ...variant.headers, [SESSION_HEADER]: id } })) } : {}),
  });
  console.log(`${variant.name}: ${Math.round(result.requests.total / result.duration)} req/s`);
  child.send({ type: 'stop' });
  await new Promise((resolve) => child.once('exit', resolve));
  printNewest(dir);
} else {
  const variant = variantByName(process.argv[2] ?? 'D');
  const seconds = Number(process.argv[3] ?? 4);
  const { app, unleash } = await createApp(variant);
  const middleware = app.middleware[0]!;
  const { ids } = await rolloutSessionIds(64);
  const base = { host: '127.0.0.1:3000', ...variant.headers };
  const headers = variant.sessionFromHeader ? ids.map((id) => ({ ...base, [SESSION_HEADER]: id })) : [base];
  const socket = { remoteAddress: '127.0.0.1', encrypted: false } as unknown as Socket;
  const next = (): Promise<void> => Promise.resolve();
  const end = Date.now() + seconds * 1000;
  let count = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 1000; i += 1, count += 1) {
      const req = new IncomingMessage(socket);
      req.method = 'GET';
      req.url = variant.path ?? '/';
      req.headers = headers[count % headers.length]!;
      const ctx = app.createContext(req, new ServerResponse(req));
      await middleware(ctx, next);
    }
  }
  unleash.destroy();
  console.log(`${variant.name}: ${count} requests in ${seconds} s, ${((seconds * 1e9) / count).toFixed(0)} ns each (loop included)`);
}
