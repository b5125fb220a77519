import { randomBytes } from 'node:crypto';
import { waitFor, type UnleashStack } from '../../dev/unleash/index.js';
import { createTestClient, waitUntilSynchronized, type TestClient } from './server-client.js';

/** A flag name no other test (or earlier run on a shared database) uses. */
export function uniqueFlagName(purpose: string): string {
  return `maintenance-${purpose}-${randomBytes(3).toString('hex')}`;
}

/**
 * Creates `flag` with a 100 % rollout in `environment` whose single variant carries `payload` as JSON, and
 * switches it on: the way a user sets maintenance texts in the Unleash UI.
 */
export async function createFlagWithPayload(stack: UnleashStack, flag: string, environment: string, payload: object): Promise<void> {
  await stack.admin.createFlag(flag);
  await stack.admin.addStrategy(flag, environment, {
    name: 'flexibleRollout',
    parameters: { rollout: '100', stickiness: 'default', groupId: flag },
    variants: [{ name: 'window', weight: 1000, weightType: 'variable', stickiness: 'default', payload: { type: 'json', value: JSON.stringify(payload) } }],
  });
  await stack.admin.setEnabled(flag, environment, true);
}

/** A client holding the production token that has already seen `flag` enabled. */
export async function productionClientSeeing(stack: UnleashStack, flag: string): Promise<TestClient> {
  const client = createTestClient({ url: stack.url, token: stack.tokens.production });
  await waitUntilSynchronized(client);
  await waitFor(() => (client.unleash.getFeatureToggleDefinition(flag)?.enabled ? true : undefined), {
    description: `the client to see ${flag} enabled`,
    timeoutMs: 2_000,
  });
  return client;
}
