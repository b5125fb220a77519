import { startUnleashStack, type UnleashStack } from '../../../dev/unleash/index.js';

let starting: Promise<UnleashStack> | undefined;

/**
 * The one Unleash server (with its database) shared by the integration
 * suite. Started by the first caller, stopped by the root hook in
 * root-hooks.ts once every test has run.
 */
export function sharedUnleash(): Promise<UnleashStack> {
  starting ??= startUnleashStack({ logLevel: 'error' });
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
