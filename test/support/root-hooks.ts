import { stopSharedUnleash } from './shared-unleash.js';

/**
 * Loaded through `.mocharc.json` `require`: stops the shared Unleash server
 * and its database after the whole run, also when tests failed. Runs that
 * never touch the integration tests never start it.
 */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopSharedUnleash();
  },
};
