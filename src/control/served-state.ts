import { setTimeout as delay } from 'node:timers/promises';
import type { AdminStrategy } from './admin-types.js';
import { UnleashError } from './errors.js';
import { expectStatus, sendJson, type HttpTarget } from './http.js';

/** What an environment should serve once a change is published. */
export interface ServedExpectation {
  environment: string;
  enabled: boolean;
  /** When enabled: the strategy that was written, which the client API must carry. */
  strategy?: AdminStrategy;
  /** When enabled: a strategy that was removed (one scope's maintenance ended), which it must no longer carry. */
  without?: AdminStrategy;
}

interface ClientFeature {
  name: string;
  enabled: boolean;
  strategies?: AdminStrategy[];
}

interface ClientSnapshot {
  environment: string | undefined;
  feature: ClientFeature | undefined;
}

const POLL_INTERVAL_MS = 200;

/**
 * Asks the client API, once per token, which environment the token serves
 * (backend tokens are bound to one). Done before any change, so a wrong or
 * missing token fails without touching the flag.
 */
export async function clientTokensByEnvironment(
  targets: readonly HttpTarget[],
  flag: string,
  environments: readonly string[],
): Promise<Map<string, HttpTarget>> {
  const byEnvironment = new Map<string, HttpTarget>();
  for (const target of targets) {
    const { environment } = await readClientFeature(target, flag);
    if (environment !== undefined && !byEnvironment.has(environment)) byEnvironment.set(environment, target);
  }
  const missing = environments.filter((environment) => !byEnvironment.has(environment));
  if (missing.length > 0) {
    const served = [...byEnvironment.keys()];
    throw new UnleashError(
      'not-served',
      `No client token serves ${quoteList(missing)}, so the change cannot be confirmed there (the client tokens given serve ${served.length ? quoteList(served) : 'no environment'}).`,
    );
  }
  return byEnvironment;
}

/** Polls the client API until every environment serves what was written, or throws once `timeoutMs` has passed. */
export async function waitUntilServed(
  flag: string,
  expectations: readonly ServedExpectation[],
  targets: ReadonlyMap<string, HttpTarget>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...expectations];
  for (;;) {
    pending = await stillPending(flag, pending, targets);
    if (pending.length === 0) return;
    const left = deadline - Date.now();
    if (left <= 0) {
      const names = quoteList(pending.map((expectation) => expectation.environment));
      throw new UnleashError('not-served', `Unleash did not serve the new state of "${flag}" in ${names} within ${timeoutMs} ms.`);
    }
    await delay(Math.min(POLL_INTERVAL_MS, left));
  }
}

async function stillPending(flag: string, expectations: ServedExpectation[], targets: ReadonlyMap<string, HttpTarget>) {
  const pending: ServedExpectation[] = [];
  for (const expectation of expectations) {
    const target = targets.get(expectation.environment);
    if (!target) throw new Error(`no client token for environment "${expectation.environment}"`);
    const { feature } = await readClientFeature(target, flag);
    if (!serves(feature, expectation)) pending.push(expectation);
  }
  return pending;
}

function serves(feature: ClientFeature | undefined, expectation: ServedExpectation): boolean {
  if (!expectation.enabled) return !feature?.enabled;
  if (!feature?.enabled) return false;
  const served = (feature.strategies ?? []).map(signature);
  if (expectation.without && served.includes(signature(expectation.without))) return false;
  return !expectation.strategy || served.includes(signature(expectation.strategy));
}

/** The parts of a strategy that decide what a request sees, in a stable form. */
function signature(strategy: AdminStrategy): string {
  const parameters = Object.entries(strategy.parameters ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const constraints = (strategy.constraints ?? []).map((c) => [c.contextName, c.operator, c.value ?? null, c.values ?? [], Boolean(c.inverted)]);
  const variants = (strategy.variants ?? []).map((v) => [v.name, v.weight, v.payload?.type ?? null, v.payload?.value ?? null]);
  return JSON.stringify([strategy.name, parameters, constraints, variants]);
}

async function readClientFeature(target: HttpTarget, flag: string): Promise<ClientSnapshot> {
  const path = `/api/client/features?namePrefix=${encodeURIComponent(flag)}`;
  const answer = await sendJson(target, 'GET', path);
  expectStatus(answer, [200], target, `GET ${path}`);
  const body = answer.body as { features?: ClientFeature[]; query?: { environment?: string } } | undefined;
  return {
    environment: body?.query?.environment,
    feature: body?.features?.find((feature) => feature.name === flag),
  };
}

function quoteList(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}
