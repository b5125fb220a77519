import type { UnleashStack } from '../../dev/unleash/index.js';

let starting: Promise<UnleashStack> | undefined;

/**
 * An Unleash for the tests: the server named by TEST_UNLEASH_URL + TEST_UNLEASH_ADMIN_TOKEN when set
 * (dev/unleash/existing.ts), otherwise a fresh unleash-server with its own database (7.5.1 on Node 20,
 * 8.x on Node >= 22, or as UNLEASH_SERVER_MAJOR says).
 */
export async function startTestUnleash(): Promise<UnleashStack> {
  // Imported here, not at the top: the root hook loads this file in every run, and runs
  // without integration tests (npm run test:unit) should not load Postgres and knex.
  const { connectExistingUnleash, existingUnleashFromEnv, startUnleashStack } = await import('../../dev/unleash/index.js');
  const existing = existingUnleashFromEnv();
  const stack = existing ? await connectExistingUnleash(existing) : await startUnleashStack({ logLevel: 'error' });
  announce(stack);
  return stack;
}

let announced = false;
function announce(stack: UnleashStack): void {
  if (announced) return;
  announced = true;
  const which = stack.ownServer ? `unleash-server ${stack.serverVersion}` : `your Unleash ${stack.serverVersion} at ${stack.url}`;
  console.log(`      (integration tests on Node ${process.versions.node} against ${which})`);
}

/**
 * The one Unleash server (with its database) shared by the integration
 * suite. Started by the first caller, stopped by the root hook in
 * root-hooks.ts once every test has run.
 */
export function sharedUnleash(): Promise<UnleashStack> {
  starting ??= startTestUnleash();
  return starting;
}

export async function stopSharedUnleash(): Promise<void> {
  if (!starting) return;
  const stack = await starting.catch(() => undefined);
  starting = undefined;
  await stack?.stop();
}

/**
 * Skips the calling suite (from a `before` hook) when the server is not ours: `why` says what the
 * tests would do to someone's server (stop it, or replace a flag named like theirs).
 */
export function skipOnExistingServer(context: Mocha.Context, stack: UnleashStack, why: string): void {
  if (stack.ownServer) return;
  console.log(`      skipped on an existing Unleash (TEST_UNLEASH_URL): ${why}`);
  context.skip();
}

/** Mocha timeout for a `before` hook that may start the server. */
export const SERVER_START_TIMEOUT_MS = 120_000;
