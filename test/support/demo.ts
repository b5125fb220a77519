import { waitFor, type UnleashStack } from '../../dev/unleash/index.js';
import { createDemoApp, listenDemoApp, type RunningDemoApp } from '../../demo/app.js';
import { createDemoClient, type DemoClient } from '../../demo/client.js';
import { seedMaintenanceFlag } from '../../demo/seed.js';
import { uniqueFlagName } from './flags.js';
import { sharedUnleash } from './shared-unleash.js';

export interface DemoOnUnleash {
  stack: UnleashStack;
  flag: string;
  app: RunningDemoApp;
  /** Stops the app and its client and deletes the flag. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * The demo app as `npm start` runs it (demo/app.ts, a real unleash-client holding the development token),
 * on the test run's shared Unleash, with a flag of its own seeded as the demo seeds it and `on` in development.
 */
export async function startDemoOnSharedUnleash(purpose: string, on: boolean): Promise<DemoOnUnleash> {
  const stack = await sharedUnleash();
  const flag = uniqueFlagName(purpose);
  let client: DemoClient | undefined;
  let app: RunningDemoApp | undefined;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app?.close();
    client?.destroy();
    await stack.admin.deleteFlag(flag);
  };
  try {
    await seedMaintenanceFlag(stack.admin, flag);
    if (on) await stack.admin.setEnabled(flag, 'development', true);
    client = createDemoClient({ apiUrl: `${stack.url}/api`, token: stack.tokens.development, refreshInterval: 250, log: () => {} });
    await client.ready(10_000);
    const { unleash } = client;
    await waitFor(() => (unleash.isEnabled(flag) === on ? true : undefined), {
      description: `${flag} to be ${on ? 'on' : 'off'} for the demo app's client`,
      timeoutMs: 5_000,
    });
    app = await listenDemoApp(createDemoApp({ unleash, flagName: flag, environment: 'development', unleashUiUrl: stack.url }), '127.0.0.1', 0);
    return { stack, flag, app, close };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}
