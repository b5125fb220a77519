import { InMemStorageProvider, Unleash } from 'unleash-client';

export const FLAG = 'maintenance-mode';

/** Nothing listens here: a bootstrap-fed client with `refreshInterval: 0` never fetches. */
const UNUSED_URL = 'http://127.0.0.1:9/api/';

export interface VariantDefinition {
  name: string;
  weight: number;
  stickiness?: string;
  payload?: unknown;
}

/** A feature definition as Unleash's client API serves it (and as `bootstrap.data` takes it). */
export interface FeatureDefinitionJson {
  name: string;
  enabled: boolean;
  strategies: { name: string; parameters: Record<string, string>; constraints: unknown[] }[];
  variants?: VariantDefinition[];
}

export function maintenanceFeature(enabled: boolean, variants?: VariantDefinition[]): FeatureDefinitionJson {
  return {
    name: FLAG,
    enabled,
    strategies: [{ name: 'default', parameters: {}, constraints: [] }],
    ...(variants ? { variants } : {}),
  };
}

/**
 * A real `Unleash` fed only by `bootstrap.data` (no polling, no metrics, in-memory storage), resolved once
 * it is ready. About 0.13 ms each on the dev box, so a fresh one per generated case is affordable.
 */
export async function bootstrappedUnleash(data: readonly FeatureDefinitionJson[], appName = 'hardening'): Promise<Unleash> {
  const unleash = new Unleash({
    url: UNUSED_URL,
    appName,
    refreshInterval: 0,
    disableMetrics: true,
    skipInstanceCountWarning: true,
    storageProvider: new InMemStorageProvider(),
    bootstrap: { data: data as never },
  });
  unleash.on('error', () => {});
  // Not events.once(): it rejects on the client's 'error' events, which malformed bootstrap data causes on purpose.
  if (!unleash.isSynchronized()) await new Promise((resolve) => unleash.once('synchronized', resolve));
  return unleash;
}

/** A real `Unleash` that polls `url` (a local features server) every `refreshInterval` ms. */
export function pollingUnleash(url: string, refreshInterval: number, errors: unknown[]): Unleash {
  const unleash = new Unleash({
    url,
    appName: 'hardening-polling',
    refreshInterval,
    timeout: 1_000,
    disableMetrics: true,
    skipInstanceCountWarning: true,
    storageProvider: new InMemStorageProvider(),
  });
  unleash.on('error', (error: unknown) => errors.push(error));
  unleash.on('warn', () => {});
  return unleash;
}
