import type { UnleashStack } from '../../dev/unleash/index.js';
import type { MaintenanceOptions } from '../../src/index.js';
import { startApp, type RunningApp } from './open-app.js';
import { createTestClient, waitUntilSynchronized, type TestClient } from './server-client.js';
import { productionClientSeeing } from './flags.js';
import { SERVER_START_TIMEOUT_MS, sharedUnleash } from './shared-unleash.js';

/** The shared Unleash and one flag on it, for the tests of one `describe`. */
export interface SharedFlag {
  readonly stack: UnleashStack;
  readonly flag: string;
}

export interface SharedFlagOptions {
  /** Usually uniqueFlagName(...); a fixed name must be deleted first by `setUp`. */
  flag: string;
  /** Puts the flag on the server as the tests need it: create, add strategies, switch on. */
  setUp(stack: UnleashStack, flag: string): Promise<void>;
  /** Runs in the `after` hook before the flag is deleted: stop what reads the flag. */
  tearDown?(): Promise<void> | void;
}

/**
 * Registers, in the calling `describe`, a `before` that gets the shared Unleash
 * (starting it if it is the first) and runs `setUp`, and an `after` that runs
 * `tearDown` and then deletes the flag. Read `stack` only inside hooks and tests.
 */
export function useSharedFlag(options: SharedFlagOptions): SharedFlag {
  const { flag } = options;
  let stack: UnleashStack | undefined;

  before(async function () {
    this.timeout(SERVER_START_TIMEOUT_MS);
    stack = await sharedUnleash();
    await options.setUp(stack, flag);
  });

  after(async function () {
    this.timeout(30_000);
    await options.tearDown?.();
    await stack?.admin.deleteFlag(flag);
  });

  return {
    flag,
    get stack() {
      return ready(stack, 'stack', flag);
    },
  };
}

/** A Koa app behind `maintenance()` whose Unleash client already knows the flag. */
export interface FlagApp extends SharedFlag {
  readonly client: TestClient;
  readonly app: RunningApp;
}

export interface FlagAppOptions extends SharedFlagOptions {
  /**
   * What the production client must have seen before the app starts:
   * `flag-enabled` (the default) waits until it sees the flag on; `first-answer`
   * only until it is synchronized, for a flag that starts off.
   */
  clientSees?: 'flag-enabled' | 'first-answer';
  /** The middleware options besides `unleash`; give `flagName: flag` unless the test is about the default name. */
  app: Omit<MaintenanceOptions, 'unleash'>;
}

/**
 * `useSharedFlag` plus a client holding the production token and an app on
 * 127.0.0.1 that reads the flag through it. The `after` hook closes the app,
 * destroys the client, then deletes the flag.
 */
export function useFlagApp(options: FlagAppOptions): FlagApp {
  let client: TestClient | undefined;
  let app: RunningApp | undefined;

  const shared = useSharedFlag({
    flag: options.flag,
    async setUp(stack, flag) {
      await options.setUp(stack, flag);
      if (options.clientSees === 'first-answer') {
        client = createTestClient({ url: stack.url, token: stack.tokens.production });
        await waitUntilSynchronized(client);
      } else {
        client = await productionClientSeeing(stack, flag);
      }
      app = await startApp({ ...options.app, unleash: client.unleash });
    },
    async tearDown() {
      await app?.close();
      client?.destroy();
      await options.tearDown?.();
    },
  });

  return {
    flag: shared.flag,
    get stack() {
      return shared.stack;
    },
    get client() {
      return ready(client, 'client', options.flag);
    },
    get app() {
      return ready(app, 'app', options.flag);
    },
  };
}

function ready<T>(value: T | undefined, what: string, flag: string): T {
  if (value === undefined) throw new Error(`the ${what} for ${flag} is not set up: read it inside a hook or test, after the before hook`);
  return value;
}
