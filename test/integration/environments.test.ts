import { expect } from 'chai';
import { waitFor } from '../../dev/unleash/index.js';
import { startApp, type RunningApp } from '../support/open-app.js';
import { createTestClient, waitUntilSynchronized, type TestClient } from '../support/server-client.js';
import { useSharedFlag } from '../support/flag-app.js';
import { uniqueFlagName } from '../support/flags.js';
import { httpGet } from '../support/http.js';

describe('integration: one flag, per environment', function () {
  const flag = uniqueFlagName('environments');
  const clients: TestClient[] = [];
  const apps: RunningApp[] = [];
  const fixture = useSharedFlag({
    flag,
    async setUp(stack) {
      await stack.admin.createFlag(flag);
      await stack.admin.setEnabled(flag, 'production', true);
      await stack.admin.setEnabled(flag, 'development', false);
    },
    async tearDown() {
      await Promise.all(apps.map((app) => app.close()));
      clients.forEach((client) => client.destroy());
    },
  });

  async function appFor(token: string): Promise<RunningApp> {
    const client = createTestClient({ url: fixture.stack.url, token });
    clients.push(client);
    await waitUntilSynchronized(client);
    const app = await startApp({ unleash: client.unleash, flagName: flag });
    apps.push(app);
    return app;
  }

  it('blocks the app holding the production token and not the one holding the development token', async function () {
    const { stack } = fixture;
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
