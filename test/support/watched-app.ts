import { waitFor } from '../../dev/unleash/index.js';
import { startApp } from './open-app.js';
import { createTestClient, waitUntilSynchronized } from './server-client.js';
import { httpGet, type HttpResult } from './http.js';

/** A Koa app behind `maintenance()` that reads `flag` through its own Unleash client. */
export interface WatchedApp {
  url: string;
  /** Polls the app until it answers `status`, failing after `timeoutMs`. */
  waitForStatus(status: number, timeoutMs?: number): Promise<HttpResult>;
  close(): Promise<void>;
}

export async function startWatchedApp(unleashUrl: string, clientToken: string, flag: string): Promise<WatchedApp> {
  const client = createTestClient({ url: unleashUrl, token: clientToken });
  await waitUntilSynchronized(client);
  const app = await startApp({ unleash: client.unleash, flagName: flag });
  return {
    url: app.url,
    waitForStatus(status, timeoutMs = 5_000) {
      return waitFor(
        async () => {
          const answer = await httpGet(app.url, { headers: { accept: 'application/json' }, timeoutMs: 1_000 });
          return answer.status === status ? answer : undefined;
        },
        { description: `${app.url} to answer ${status} for ${flag}`, timeoutMs, intervalMs: 50 },
      );
    },
    async close() {
      await app.close();
      client.destroy();
    },
  };
}
