import type { UnleashStack } from '../../../dev/unleash/index.js';

let starting: Promise<UnleashStack> | undefined;

/**
 * The one Unleash server (with its database) shared by the integration
 * suite. Started by the first caller, stopped by the root hook in
 * root-hooks.ts once every test has run.
 */
export function sharedUnleash(): Promise<UnleashStack> {
  // Imported here, not at the top: the root hook loads this file in every run, and runs
  // without integration tests (npm run test:unit) should not load Postgres and knex.
  starting ??= import('../../../dev/unleash/index.js').then(({ startUnleashStack }) => startUnleashStack({ logLevel: 'error' }));
  return starting;
}

export async function stopSharedUnleash(): Promise<void> {
  if (!starting) return;
  const stack = await starting.catch(() => undefined);
  starting = undefined;
  await stack?.stop();
}

/** Mocha timeout for a `before` hook that may start the server. */
export const SERVER_START_TIMEOUT_MS = 120_000;
