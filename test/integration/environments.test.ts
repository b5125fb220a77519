import { expect } from 'chai';
import { waitFor, type UnleashStack } from '../../dev/unleash/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { createTestClient, waitUntilSynchronized, type TestClient } from './support/client.js';
import { uniqueFlagName } from './support/flags.js';
import { httpGet } from './support/http.js';
import { SERVER_START_TIMEOUT_MS, sharedUnleash } from './support/shared-unleash.js';

describe('integration: one flag, per environment', function () {
  const flag = uniqueFlagName('environments');
  let stack: UnleashStack;
  const clients: TestClient[] = [];
  const apps: RunningApp[] = [];

  async function appFor(token: string): Promise<RunningApp> {
    const client = createTestClient({ url: stack.url, token });
    clients.push(client);
    await waitUntilSynchronized(client);
    const app = await startApp({ unleash: client.unleash, flagName: flag });
    apps.push(app);
    return app;
  }

  before(async function () {
    this.timeout(SERVER_START_TIMEOUT_MS);
    stack = await sharedUnleash();
    await stack.admin.createFlag(flag);
    await stack.admin.setEnabled(flag, 'production', true);
    await stack.admin.setEnabled(flag, 'development', false);
  });

  after(async function () {
    await Promise.all(apps.map((app) => app.close()));
    clients.forEach((client) => client.destroy());
    await stack?.admin.deleteFlag(flag);
  });

  it('blocks the app holding the production token and not the one holding the development token', async function () {
    const production = await appFor(stack.tokens.production);
    const development = await appFor(stack.tokens.development);

    // Both clients are synchronized, so their answers are final.
    expect((await httpGet(production.url)).status).to.equal(503);
    expect((await httpGet(development.url)).status).to.equal(200);

    // And the environments really are independent: switch them round.
    await stack.admin.setEnabled(flag, 'development', true);
    await stack.admin.setEnabled(flag, 'production', false);
    await waitFor(async () => ((await httpGet(development.url)).status === 503 ? true : undefined), {
      description: 'the development app to enter maintenance',
      timeoutMs: 2_000,
    });
    await waitFor(async () => ((await httpGet(production.url)).status === 200 ? true : undefined), {
      description: 'the production app to leave maintenance',
      timeoutMs: 2_000,
    });
  });
});
