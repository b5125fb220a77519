import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../../dev/unleash/index.js';
import type { FleetAppReady } from './fleet-app.js';

const FLEET_APP = fileURLToPath(new URL('./fleet-app.ts', import.meta.url));

export interface FleetMember {
  url: string;
  stop(): Promise<void>;
}

export interface FleetMemberOptions {
  unleashUrl: string;
  token: string;
  flagName: string;
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
}

/** Starts one app process and resolves once it is listening and synchronized. */
export async function startFleetMember(options: FleetMemberOptions): Promise<FleetMember> {
  const { readyTimeoutMs = 30_000, stopTimeoutMs = 5_000 } = options;
  const child = spawn(process.execPath, ['--import', 'tsx', FLEET_APP], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, UNLEASH_URL: options.unleashUrl, UNLEASH_TOKEN: options.token, FLAG_NAME: options.flagName },
  });
  const stop = () => stopChild(child, stopTimeoutMs);
  try {
    const [ready] = (await once(child, 'message', { signal: AbortSignal.timeout(readyTimeoutMs) })) as [FleetAppReady];
    return { url: `http://127.0.0.1:${ready.port}`, stop };
  } catch (error) {
    await stop();
    throw new Error(`fleet app did not become ready: ${(error as Error).message}`);
  }
}

