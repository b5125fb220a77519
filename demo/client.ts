import { InMemStorageProvider, Unleash } from 'unleash-client';

export interface DemoClientOptions {
  /** The client API root, ending in `/api`. */
  apiUrl: string;
  /** A backend token; it decides which environment the client sees. */
  token: string;
  appName?: string;
  /** Milliseconds between polls. Default 1000, so a toggle in the UI shows within a second or two. */
  refreshInterval?: number;
  /** Where client errors go (throttled: one line per distinct message per 30 s). Default: stderr. */
  log?: (line: string) => void;
}

export interface DemoClient {
  unleash: Unleash;
  /** Resolves once the client has the flags from the server; throws after `timeoutMs` or when `signal` aborts. */
  ready(timeoutMs?: number, signal?: AbortSignal): Promise<void>;
  destroy(): void;
}

const ERROR_REPEAT_MS = 30_000;

/**
 * A real unleash-client as an app would create it, set for a demo: a 1 s poll, state in memory only (no
 * backup file in the OS temp dir to outlive the demo), and an `error` listener that stays for good, because
 * `destroy()` while a fetch is failing can still emit one.
 */
export function createDemoClient(options: DemoClientOptions): DemoClient {
  const log = options.log ?? ((line: string) => console.error(line));
  const unleash = new Unleash({
    url: options.apiUrl,
    appName: options.appName ?? 'koa-unleash-maintenance-demo',
    customHeaders: { Authorization: options.token },
    refreshInterval: options.refreshInterval ?? 1_000,
    // Below 1000 ms unleash-client fails to fetch at all.
    timeout: 5_000,
    storageProvider: new InMemStorageProvider(),
    skipInstanceCountWarning: true,
  });

  const lastLogged = new Map<string, number>();
  unleash.on('error', (error: Error) => {
    const now = Date.now();
    const message = error?.message ?? String(error);
    if (now - (lastLogged.get(message) ?? 0) < ERROR_REPEAT_MS) return;
    lastLogged.set(message, now);
    log(`[unleash-client] ${message}`);
  });
  unleash.on('warn', (message: unknown) => log(`[unleash-client] warning: ${String(message)}`));

  return {
    unleash,
    ready(timeoutMs = 15_000, signal) {
      if (unleash.isSynchronized()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`the Unleash client at ${options.apiUrl} did not get the flags within ${timeoutMs} ms (check the URL and the token)`)),
          timeoutMs,
        );
        const onSynchronized = () => finish();
        const onAbort = () => finish(new Error('interrupted'));
        // unleash-client stops polling for good after a 401 or 403: waiting longer cannot help.
        const onError = (error: Error) => {
          if (/responded (401|403)\b/.test(error?.message ?? '')) {
            finish(new Error(`Unleash at ${options.apiUrl} refused the API token (${error.message.match(/responded (\d+)/)?.[1]}): check UNLEASH_API_TOKEN; it must be a backend (client) token`));
          }
        };
        function finish(error?: Error) {
          clearTimeout(timer);
          unleash.off('synchronized', onSynchronized);
          unleash.off('error', onError);
          signal?.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else resolve();
        }
        unleash.on('synchronized', onSynchronized);
        unleash.on('error', onError);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    destroy: () => unleash.destroy(),
  };
}
