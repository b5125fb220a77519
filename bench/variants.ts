/**
 * The benchmark's variants A–H and the twins R and S: what each app mounts, which flag Unleash is bootstrapped
 * with, what autocannon sends, and the targets. Shared by the load runner (bench/run.ts), the app processes
 * (bench/server.ts) and the per-request cost loop (bench/micro.ts), so every part measures the same configurations.
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FLAG, realUnleash, type FlagDefinition } from '../test/support/unleash.js';

export const SESSION_HEADER = 'x-session-id';

export type VariantName = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'K' | 'R' | 'S';

export interface Variant {
  name: VariantName;
  label: string;
  /** Whether the app mounts the middleware at all (A is bare Koa). */
  middleware: boolean;
  flag: FlagDefinition;
  bypassIps?: string[];
  allowedUrls?: readonly (RegExp | string)[];
  /** The request path, in the load and in the loop; `/` unless said. */
  path?: string;
  /** The Unleash context option: F takes the session id from a header that the load varies. */
  sessionFromHeader?: boolean;
  /** Request headers autocannon sends (besides F's session ids). */
  headers: Record<string, string>;
  /**
   * A twin: bare Koa (no middleware) that sends from its route the exact answer (status, headers, bytes) this
   * variant's middleware gives, taken from the same build at start-up. The variant over its twin is what the
   * middleware costs on a path that answers by itself.
   */
  replays?: VariantName;
}

const defaultStrategy = [{ name: 'default', parameters: {}, constraints: [] }];
const flagOn: FlagDefinition = { name: FLAG, enabled: true, strategies: defaultStrategy };
/** What a browser sends: the page is negotiated on Accept and its language on Accept-Language. */
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'accept-language': 'en-US,en;q=0.9' };
/** What an API client sends: the 503 is problem+json. */
const JSON_ACCEPT = { accept: 'application/json' };

export const PAYLOAD_MESSAGE = 'Database upgrade in progress; back at 21:00 UTC.';

export const VARIANTS: readonly Variant[] = [
  { name: 'A', label: 'bare Koa, text body (baseline)', middleware: false, flag: { ...flagOn, enabled: false }, headers: HTML },
  { name: 'B', label: 'middleware, flag off', middleware: true, flag: { ...flagOn, enabled: false }, headers: HTML },
  { name: 'C', label: 'flag on, let through by bypassIps', middleware: true, flag: flagOn, bypassIps: ['127.0.0.1'], headers: HTML },
  {
    name: 'H',
    label: 'flag on, let through by allowedUrls',
    middleware: true,
    flag: flagOn,
    allowedUrls: [/^\/public(\/|$)/],
    path: '/public/x',
    headers: HTML,
  },
  { name: 'D', label: 'flag on, blocked, HTML page', middleware: true, flag: flagOn, headers: HTML },
  { name: 'E', label: 'flag on, blocked, Accept: application/json', middleware: true, flag: flagOn, headers: JSON_ACCEPT },
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
  {
    // What `unleash-maintenance on --path /checkout --until 1h --area Checkout` writes: the open pages pay for the
    // request's context (routePath included) and for reading which scopes to name in ctx.state.maintenance.closed.
    name: 'K',
    label: 'scope /checkout on, an open page (closed areas named)',
    middleware: true,
    flag: {
      name: FLAG,
      enabled: true,
      strategies: [{
        name: 'flexibleRollout',
        parameters: { rollout: '100', stickiness: 'default', groupId: FLAG },
        constraints: [
          { contextName: 'routePath', operator: 'STR_STARTS_WITH', values: ['/checkout/'], inverted: false, caseInsensitive: true },
          { contextName: 'currentTime', operator: 'DATE_BEFORE', value: '2099-01-01T00:00:00.000Z', values: [], inverted: false, caseInsensitive: false },
        ],
        variants: [{
          name: 'maintenance', weight: 1000, weightType: 'variable', stickiness: 'default',
          payload: { type: 'json', value: JSON.stringify({ area: 'Checkout', until: '2099-01-01T00:00:00.000Z' }) },
        }],
      }],
    },
    path: '/products',
    headers: HTML,
  },
  // D's twin: bare Koa sending D's 503 page (same status, headers and bytes) from its route. D over R is what the
  // middleware itself costs under load; R over A is what answering with a 1.9 KB page instead of 11 bytes costs.
  { name: 'R', label: 'twin of D: bare Koa sending D\'s page', middleware: false, flag: { ...flagOn, enabled: false }, headers: HTML, replays: 'D' },
  // E's twin: bare Koa sending E's problem+json answer, the same way. E over S is what the middleware costs there.
  { name: 'S', label: 'twin of E: bare Koa sending E\'s problem+json', middleware: false, flag: { ...flagOn, enabled: false }, headers: JSON_ACCEPT, replays: 'E' },
];

/** The twin that replays a variant's answer (R for D, S for E), if any. */
export function twinOf(name: VariantName): VariantName | undefined {
  return VARIANTS.find((variant) => variant.replays === name)?.name;
}

/**
 * Load targets, on the app's CPU time per request (the figure to trust on a noisy machine), as
 * `reference CPU µs/req ÷ variant CPU µs/req`, so higher is better and 1 is "costs nothing": B, C and F against
 * bare Koa (A); the blocked paths D and E against their twins (R, S), so they measure the middleware and not the
 * size of a 503 answer. G and H have none (their ratios to A are shown as information).
 */
export const LOAD_TARGETS: Partial<Record<VariantName, { ratio: number; against: 'A' | 'twin' }>> = {
  B: { ratio: 0.98, against: 'A' },
  C: { ratio: 0.97, against: 'A' },
  D: { ratio: 0.9, against: 'twin' },
  E: { ratio: 0.9, against: 'twin' },
  F: { ratio: 0.95, against: 'A' },
};

/**
 * The per-request loop's paths (bench/micro.ts), by variant: what the middleware must do with the request
 * (checked once before timing, so a wrong setup fails instead of timing another path) and the own-time target.
 */
export const MICRO_CASES: readonly { variant: VariantName; path: string; expect: 'pass' | 'block' | 'either'; targetNs?: number }[] = [
  { variant: 'B', path: 'off', expect: 'pass', targetNs: 300 },
  { variant: 'C', path: 'bypass-ip', expect: 'pass', targetNs: 600 },
  { variant: 'H', path: 'allowed-url', expect: 'pass', targetNs: 600 },
  { variant: 'D', path: 'blocked', expect: 'block', targetNs: 5000 },
  { variant: 'E', path: 'blocked-json', expect: 'block' },
  { variant: 'F', path: 'rollout-50%', expect: 'either' },
  { variant: 'G', path: 'blocked-payload', expect: 'block' },
  { variant: 'K', path: 'scope-open-page', expect: 'pass' },
];

export function variantByName(name: string): Variant {
  const variant = VARIANTS.find((candidate) => candidate.name === name);
  if (!variant) throw new Error(`unknown variant ${name}`);
  return variant;
}

/** The library's public entry, imported from the BUILT package (dist/), not from src/. */
export type Library = typeof import('../src/index.js');

/**
 * The build under test: `dist/index.js` of this repository, or `BENCH_DIST=/path/to/index.js` (absolute, or
 * relative to the working directory) to measure another build (e.g. before a change) with the same harness.
 */
export function builtLibraryPath(): string {
  return process.env.BENCH_DIST ? resolve(process.env.BENCH_DIST) : fileURLToPath(new URL('../dist/index.js', import.meta.url));
}

export async function loadBuiltLibrary(): Promise<Library> {
  return (await import(pathToFileURL(builtLibraryPath()).href)) as Library;
}

/** How the bench's clients name themselves to Unleash. */
export const BENCH_CLIENT = { appName: 'koa-unleash-maintenance-bench' } as const;

/** F's session ids: chosen with a real Unleash so that exactly half of them fall inside the 50% rollout. */
export async function rolloutSessionIds(count: number): Promise<{ ids: string[]; inRollout: number }> {
  const unleash = await realUnleash([variantByName('F').flag], BENCH_CLIENT);
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

/** One row of the per-request loop (bench/micro.ts), as the runner reports it. */
export interface MicroResult {
  variant: VariantName;
  path: string;
  /** What the middleware did with one such request before timing: `pass (reason)` or the status it answered. */
  outcome?: string;
  ownNs: number;
  spreadNs: [number, number];
  baselineNs: number;
  targetNs?: number;
  met?: boolean;
}

/** A loop row as both the runner and `micro.ts` alone print it. */
export function microTableRow(entry: MicroResult): Record<string, string | number> {
  return {
    variant: entry.variant,
    path: entry.path,
    outcome: entry.outcome ?? '',
    'own ns': entry.ownNs,
    'spread ns (min..max of pairs)': `${entry.spreadNs[0]}..${entry.spreadNs[1]}`,
    'no-op loop ns': entry.baselineNs,
    target: entry.targetNs === undefined ? '' : `<= ${entry.targetNs} ${entry.met ? 'met' : 'MISSED'}`,
  };
}
