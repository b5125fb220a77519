import { InMemStorageProvider, Unleash } from 'unleash-client';

/**
 * Real unleash-client instances for unit, hardening and bench code, fed from bootstrap data or from a local
 * features server: the one place tests make a client without an Unleash server.
 */

export const FLAG = 'maintenance-mode';

/** Nothing listens here (the discard port): a bootstrap-fed client's one start-up fetch fails and is ignored. */
const UNUSED_URL = 'http://127.0.0.1:9/api/';

export interface VariantDefinition {
  name: string;
  weight: number;
  weightType?: string;
  stickiness?: string;
  payload?: unknown;
}

/** A flag definition as Unleash's client API serves it (the shape `bootstrap.data` takes). */
export interface FlagDefinition {
  name: string;
  enabled: boolean;
  strategies: { name: string; parameters?: Record<string, string>; constraints?: unknown[]; variants?: unknown[] }[];
  variants?: unknown[];
  impressionData?: boolean;
}

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

function quiet(unleash: Unleash): Unleash {
  unleash.on('error', () => {});
  unleash.on('warn', () => {});
  clients.push(unleash);
  return unleash;
}

/**
 * A real unleash-client fed from bootstrap data: no server, no polling, no metrics (unless asked), in-memory
 * storage; resolved once it has the data. About 0.13 ms each, so a fresh one per generated case is affordable.
 */
export async function realUnleash(features: readonly FlagDefinition[], options: { metrics?: boolean; appName?: string } = {}): Promise<Unleash> {
  const unleash = quiet(new Unleash({
    url: UNUSED_URL,
    appName: options.appName ?? 'koa-unleash-maintenance-test',
    refreshInterval: 0,
    disableMetrics: !options.metrics,
    metricsInterval: 3_600_000,
    skipInstanceCountWarning: true,
    storageProvider: new InMemStorageProvider(),
    bootstrap: { data: features as never },
  }));
  // Not events.once(): it rejects on the client's 'error' events, which malformed bootstrap data causes on purpose.
  if (!unleash.isSynchronized()) await new Promise((resolve) => unleash.once('synchronized', resolve));
  return unleash;
}

/** A real client that never becomes ready: no bootstrap, nobody answering. */
export function unreadyUnleash(): Unleash {
  return quiet(new Unleash({
    url: UNUSED_URL,
    appName: 'koa-unleash-maintenance-test',
    refreshInterval: 0,
    disableMetrics: true,
    skipInstanceCountWarning: true,
    storageProvider: new InMemStorageProvider(),
  }));
}

/** A real client that polls `url` (a local features server) every `refreshInterval` ms; its errors go to `errors`. */
export function pollingUnleash(url: string, refreshInterval: number, errors: unknown[]): Unleash {
  const unleash = new Unleash({
    url,
    appName: 'koa-unleash-maintenance-polling',
    refreshInterval,
    timeout: 1_000,
    disableMetrics: true,
    skipInstanceCountWarning: true,
    storageProvider: new InMemStorageProvider(),
  });
  unleash.on('error', (error: unknown) => errors.push(error));
  unleash.on('warn', () => {});
  clients.push(unleash);
  return unleash;
}

/** Destroys every client made by this module; call from a root-level `afterEach`/`after`. */
export function destroyUnleashClients(): void {
  for (const client of clients.splice(0)) client.destroy();
}
