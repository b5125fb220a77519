/**
 * The benchmark's variants A–G: what each app mounts, which flag Unleash is bootstrapped with, and what
 * autocannon sends. Shared by the load runner (bench/run.ts), the app processes (bench/server.ts) and
 * the per-request cost loop (bench/micro.ts), so every part measures the same configurations.
 */
import { InMemStorageProvider, Unleash } from 'unleash-client';

export const FLAG = 'maintenance-mode';
export const SESSION_HEADER = 'x-session-id';

export type VariantName = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'R';

export interface FlagDefinition {
  name: string;
  enabled: boolean;
  strategies: { name: string; parameters?: Record<string, string>; constraints?: unknown[]; variants?: unknown[] }[];
  variants?: unknown[];
}

export interface Variant {
  name: VariantName;
  label: string;
  /** Whether the app mounts the middleware at all (A is bare Koa). */
  middleware: boolean;
  flag: FlagDefinition;
  bypassIps?: string[];
  /** The Unleash context option: F takes the session id from a header that the load varies. */
  sessionFromHeader?: boolean;
  /** Request headers autocannon sends (besides F's session ids). */
  headers: Record<string, string>;
  /** A reference app without the middleware that sends, from its route, the answer this variant's middleware gives. */
  replays?: VariantName;
}

const defaultStrategy = [{ name: 'default', parameters: {}, constraints: [] }];
const flagOn: FlagDefinition = { name: FLAG, enabled: true, strategies: defaultStrategy };
/** What a browser sends: the page is negotiated on Accept and its language on Accept-Language. */
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'accept-language': 'en-US,en;q=0.9' };

export const PAYLOAD_MESSAGE = 'Database upgrade in progress; back at 21:00 UTC.';

export const VARIANTS: readonly Variant[] = [
  { name: 'A', label: 'bare Koa, text body (baseline)', middleware: false, flag: { ...flagOn, enabled: false }, headers: HTML },
  { name: 'B', label: 'middleware, flag off', middleware: true, flag: { ...flagOn, enabled: false }, headers: HTML },
  { name: 'C', label: 'flag on, let through by bypassIps', middleware: true, flag: flagOn, bypassIps: ['127.0.0.1'], headers: HTML },
  { name: 'D', label: 'flag on, blocked, HTML page', middleware: true, flag: flagOn, headers: HTML },
  { name: 'E', label: 'flag on, blocked, Accept: application/json', middleware: true, flag: flagOn, headers: { accept: 'application/json' } },
  {
    name: 'F',
    label: 'flag on, 50% flexibleRollout on sessionId',
    middleware: true,
    flag: {
      name: FLAG,
      enabled: true,
      strategies: [{ name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'sessionId', groupId: FLAG }, constraints: [] }],
    },
    sessionFromHeader: true,
    headers: HTML,
  },
  {
    name: 'G',
    label: 'flag on, blocked, variant json payload',
    middleware: true,
    flag: {
      ...flagOn,
      variants: [{
        name: 'window', weight: 1000, weightType: 'variable', stickiness: 'default',
        payload: { type: 'json', value: JSON.stringify({ title: 'Scheduled maintenance', message: PAYLOAD_MESSAGE, retryAfter: 600 }) },
      }],
    },
    headers: HTML,
  },
  // Not a target: bare Koa sending D's 503 page (same bytes and headers) from its route. D over R is what the
  // middleware itself costs under load; R over A is what answering with a 1.9 KB page instead of 11 bytes costs.
  { name: 'R', label: 'reference: bare Koa sending D\'s page', middleware: false, flag: { ...flagOn, enabled: false }, headers: HTML, replays: 'D' },
];

export function variantByName(name: string): Variant {
  const variant = VARIANTS.find((candidate) => candidate.name === name);
  if (!variant) throw new Error(`unknown variant ${name}`);
  return variant;
}

/**
 * A real unleash-client fed from bootstrap data: no polling, no metrics. The URL is a loopback port that
 * nothing listens on (the discard port), so the one start-up fetch fails and is ignored; bootstrap stays.
 */
export async function bootstrappedUnleash(flag: FlagDefinition): Promise<Unleash> {
  const unleash = new Unleash({
    url: 'http://127.0.0.1:9/api',
    appName: 'koa-unleash-maintenance-bench',
    refreshInterval: 0,
    disableMetrics: true,
    storageProvider: new InMemStorageProvider(),
    bootstrap: { data: [flag] as never },
  });
  unleash.on('error', () => {});
  unleash.on('warn', () => {});
  if (!unleash.isSynchronized()) await new Promise((resolve) => unleash.once('ready', resolve));
  return unleash;
}

/** The library's public entry, imported from the BUILT package (dist/), not from src/. */
export type Library = typeof import('../src/index.js');

/** `BENCH_DIST=/path/to/index.js` compares another build (e.g. before a change) with the same harness. */
export async function loadBuiltLibrary(): Promise<Library> {
  const url = process.env.BENCH_DIST ? new URL(`file://${process.env.BENCH_DIST}`) : new URL('../dist/index.js', import.meta.url);
  return (await import(url.href)) as Library;
}

/** F's session ids: chosen with a real Unleash so that exactly half of them fall inside the 50% rollout. */
export async function rolloutSessionIds(count: number): Promise<{ ids: string[]; inRollout: number }> {
  const unleash = await bootstrappedUnleash(variantByName('F').flag);
  const on: string[] = [];
  const off: string[] = [];
  for (let i = 0; i < 10_000 && (on.length < count / 2 || off.length < count / 2); i += 1) {
    const id = `session-${i}`;
    (unleash.isEnabled(FLAG, { sessionId: id }) ? on : off).push(id);
  }
  unleash.destroy();
  const half = count / 2;
  const ids: string[] = [];
  for (let i = 0; i < half; i += 1) ids.push(on[i]!, off[i]!);
  return { ids, inRollout: half };
}
