import { InMemStorageProvider, Unleash } from 'unleash-client';
import { waitFor } from '../../dev/unleash/index.js';

export interface TestClientOptions {
  url: string;
  token: string;
  appName?: string;
  /** A persistent backup directory; without it the state lives in memory only. */
  backupPath?: string;
  refreshInterval?: number;
}

export interface TestClient {
  unleash: Unleash;
  /** Every `error` the client emitted, in order (the app's error log). */
  errors: Error[];
  destroy(): void;
}

/** Settings the issue asks every test client to respect. */
const POLL_MS = 250;
const FETCH_TIMEOUT_MS = 1_000; // below 1000 ms unleash-client fails to fetch

export function createTestClient(options: TestClientOptions): TestClient {
  const errors: Error[] = [];
  const unleash = new Unleash({
    url: `${options.url}/api`,
    appName: options.appName ?? 'koa-unleash-maintenance-tests',
    customHeaders: { Authorization: options.token },
    refreshInterval: options.refreshInterval ?? POLL_MS,
    timeout: FETCH_TIMEOUT_MS,
    disableMetrics: true,
    skipInstanceCountWarning: true,
    ...(options.backupPath
      ? { backupPath: options.backupPath }
      : { storageProvider: new InMemStorageProvider() }),
  });
  // Never removed: destroy() while a fetch fails can still emit errors.
  unleash.on('error', (error: Error) => errors.push(error));
  return { unleash, errors, destroy: () => unleash.destroy() };
}

/** Resolves once the client has its first answer from the server. */
export async function waitUntilSynchronized(client: TestClient, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => (client.unleash.isSynchronized() ? true : undefined), {
    description: 'the Unleash client to synchronize',
    timeoutMs,
  });
}
