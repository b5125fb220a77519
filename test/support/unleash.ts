import { InMemStorageProvider, Unleash } from 'unleash-client';

/** A flag definition as Unleash's client API serves it (the shape `bootstrap.data` takes). */
export interface FlagDefinition {
  name: string;
  enabled: boolean;
  strategies: { name: string; parameters?: Record<string, string>; constraints?: unknown[]; variants?: unknown[] }[];
  variants?: unknown[];
  impressionData?: boolean;
}

export const FLAG = 'maintenance-mode';

export function flag(enabled: boolean, overrides: Partial<FlagDefinition> = {}): FlagDefinition {
  return { name: FLAG, enabled, strategies: [{ name: 'default', parameters: {}, constraints: [] }], ...overrides };
}

/** A flag that is on, whose (single) variant carries `payload` as JSON (or as given when it is a string). */
export function flagWithPayload(payload: unknown, type = 'json'): FlagDefinition {
  const value = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return flag(true, { variants: [{ name: 'window', weight: 1000, weightType: 'variable', stickiness: 'default', payload: { type, value } }] });
}

/** A flag that is on only for the listed client addresses (Unleash's remoteAddress strategy). */
export function flagForAddresses(addresses: string[]): FlagDefinition {
  return flag(true, { strategies: [{ name: 'remoteAddress', parameters: { IPs: addresses.join(',') }, constraints: [] }] });
}

const clients: Unleash[] = [];

/**
 * A real unleash-client fed from bootstrap data: no server, no polling, no metrics. The URL points at the
 * discard port so nothing answers; the fetch error is expected and swallowed.
 */
export async function realUnleash(features: FlagDefinition[], options: { metrics?: boolean } = {}): Promise<Unleash> {
  const unleash = new Unleash({
    url: 'http://127.0.0.1:9/api',
    appName: 'koa-unleash-maintenance-test',
    refreshInterval: 0,
    disableMetrics: !options.metrics,
    metricsInterval: 3_600_000,
    storageProvider: new InMemStorageProvider(),
    bootstrap: { data: features as never },
  });
  unleash.on('error', () => {});
  unleash.on('warn', () => {});
  clients.push(unleash);
  if (!unleash.isSynchronized()) await new Promise((resolve) => unleash.once('ready', resolve));
  return unleash;
}

/** A real client that never becomes ready: no bootstrap, nobody answering. */
export function unreadyUnleash(): Unleash {
  const unleash = new Unleash({
    url: 'http://127.0.0.1:9/api',
    appName: 'koa-unleash-maintenance-test',
    refreshInterval: 0,
    disableMetrics: true,
    storageProvider: new InMemStorageProvider(),
  });
  unleash.on('error', () => {});
  unleash.on('warn', () => {});
  clients.push(unleash);
  return unleash;
}

/** Destroys every client made by this module; call from a root-level `afterEach`/`after`. */
export function destroyUnleashClients(): void {
  for (const client of clients.splice(0)) client.destroy();
}
