import type { Parameters } from 'fast-check';

/**
 * `npm test` runs every property with one fixed seed, so a run is reproducible; `npm run fuzz` (FUZZ=1) runs
 * the same properties with random seeds and 20 times the runs. fast-check prints the seed of a failure; replay
 * it with `PROPERTY_SEED=<seed>` (and `FUZZ=1` if it came from a fuzz run, so the run count matches).
 */
const FUZZ = process.env.FUZZ === '1';
const FUZZ_FACTOR = 20;
const DEFAULT_SEED = 20_261_203;

function chosenSeed(): number | undefined {
  const text = process.env.PROPERTY_SEED;
  if (text === undefined || text === '') return undefined;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new TypeError(`PROPERTY_SEED must be an integer, got ${JSON.stringify(text)}`);
  return seed;
}

/** fast-check parameters for `numRuns` runs: a fixed seed in `npm test`, random seeds and more runs in `npm run fuzz`. */
export function seeded<T = unknown>(numRuns: number): Parameters<T> {
  const seed = chosenSeed() ?? (FUZZ ? undefined : DEFAULT_SEED);
  return { numRuns: FUZZ ? numRuns * FUZZ_FACTOR : numRuns, ...(seed === undefined ? {} : { seed }) };
}

/** A test's time limit, stretched in `npm run fuzz` along with its runs. */
export function propertyTimeout(ms: number): number {
  return FUZZ ? ms * FUZZ_FACTOR : ms;
}
