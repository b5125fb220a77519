import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogBuffer } from './log-buffer.js';
import { stopChild } from './stop-child.js';
import type { ServerChildConfig } from './server-config.js';
import { waitFor } from './wait-for.js';

const SERVER_MAIN = fileURLToPath(new URL('./server-main.ts', import.meta.url));

export interface UnleashServerOptions extends ServerChildConfig {
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** Receives the child's output; by default it is kept only to explain a failed start. */
  onOutput?: (chunk: string) => void;
}

export interface UnleashServer {
  url: string;
  pid: number;
  /** SIGTERM, then SIGKILL once `stopTimeoutMs` has passed. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts unleash-server in a child process and resolves once /health answers. */
export async function startUnleashServer(options: UnleashServerOptions): Promise<UnleashServer> {
  const { startTimeoutMs = 90_000, stopTimeoutMs = 10_000, onOutput, ...config } = options;
  const url = `http://${config.host}:${config.port}`;
  const log = createLogBuffer();
  const child = spawnServer(config);
  const forward = (chunk: Buffer) => {
    log.push(chunk.toString());
    onOutput?.(chunk.toString());
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);

  let stopping = false;
  const stop = () => {
    stopping = true;
    return stopChild(child, stopTimeoutMs);
  };
  try {
    await waitUntilHealthy(url, child, startTimeoutMs);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- unleash-server output ---\n${log.tail()}`);
  }
  // A server that dies under the tests otherwise shows only as ECONNREFUSED in the next tests: say why it went.
  child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`unleash-server at ${url} exited unexpectedly (code ${code}, signal ${signal})\n--- unleash-server output ---\n${log.tail()}`);
  });
  return { url, pid: child.pid ?? -1, stop };
}

function spawnServer(config: ServerChildConfig): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_MAIN, JSON.stringify(config)], {
    // 'ipc' lets the child notice when this process goes away.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      ...process.env,
      // unleash-server reads these from the environment even when options say otherwise.
      SEND_TELEMETRY: 'false',
      CHECK_VERSION: 'false',
      CLIENT_FEATURE_CACHING_ENABLED: String(config.featureCaching ?? false),
      DATABASE_URL: config.databaseUrl,
    },
  });
  killOnExit(child);
  return child;
}

async function waitUntilHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const gaveUp = new AbortController();
  const onEarlyExit = (code: number | null, signal: string | null) =>
    gaveUp.abort(new Error(`unleash-server exited while starting (code ${code}, signal ${signal})`));
  child.once('exit', onEarlyExit);
  try {
    await waitFor(() => healthy(url), {
      description: `Unleash at ${url}/health`,
      timeoutMs,
      intervalMs: 200,
      signal: gaveUp.signal,
    });
  } finally {
    child.off('exit', onEarlyExit);
  }
}

async function healthy(url: string): Promise<true | undefined> {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
  return response.ok ? true : undefined;
}

/** Last resort when the test run exits without stopping the server. */
function killOnExit(child: ChildProcess): void {
  const kill = () => child.kill('SIGKILL');
  process.on('exit', kill);
  child.once('exit', () => process.off('exit', kill));
}
