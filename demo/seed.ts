import type { AdminApi } from '../dev/unleash/index.js';

/** The environments of a fresh Unleash (open source): the demo app's token is for `development`. */
export const SEEDED_ENVIRONMENTS = ['development', 'production'] as const;

/**
 * Creates the flag, off everywhere, with the strategy Unleash's UI would add (a 100% rollout), so that
 * switching an environment on in the UI is a single click and means "everyone is in maintenance".
 */
export async function seedMaintenanceFlag(admin: AdminApi, flagName: string): Promise<void> {
  await admin.createFlag(flagName, 'operational');
  for (const environment of SEEDED_ENVIRONMENTS) {
    await admin.addStrategy(flagName, environment, {
      name: 'flexibleRollout',
      parameters: { rollout: '100', stickiness: 'default', groupId: flagName },
    });
    await admin.setEnabled(flagName, environment, false);
  }
}
