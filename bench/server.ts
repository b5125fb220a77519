/**
 * One variant's app in its own process (the runner pins it to its own CPU), listening on 127.0.0.1 only.
 * IPC: it sends `{ type: 'ready', port }`; it answers `cpu` (CPU time used since the last ask) and
 * `memory` (RSS and heap after forced GCs; needs --expose-gc).
 */
import { createServer } from 'node:http';
import { createApp } from './app.js';
import { variantByName } from './variants.js';

const variant = variantByName(process.argv[2] ?? '');
const { app } = await createApp(variant);
// Connections that autocannon closes at the end of a run with pipelined requests in flight end in EPIPE or
// ECONNRESET; Koa would print each one. Count them instead.
let socketErrors = 0;
app.on('error', () => {
  socketErrors += 1;
});
const server = createServer(app.callback());
server.keepAliveTimeout = 10_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  send({ type: 'ready', port: address.port });
});

let lastCpu = process.cpuUsage();
let lastAt = process.hrtime.bigint();

function send(message: object): void {
  process.send?.(message);
}

async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 4; i += 1) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return process.memoryUsage();
}

process.on('message', (message: { type: string }) => {
  if (message.type === 'cpu') {
    const now = process.hrtime.bigint();
    const used = process.cpuUsage(lastCpu);
    send({ type: 'cpu', cpuMs: (used.user + used.system) / 1000, wallMs: Number(now - lastAt) / 1e6 });
    lastCpu = process.cpuUsage();
    lastAt = now;
  } else if (message.type === 'memory') {
    void settledMemory().then((memory) => send({ type: 'memory', memory, socketErrors }));
  } else if (message.type === 'stop') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
