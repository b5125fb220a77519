import { expect } from 'chai';
import type { UnleashStack } from '../../dev/unleash/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { createTestClient, waitUntilSynchronized, type TestClient } from './support/client.js';
import { httpGet } from './support/http.js';
import { PROPAGATION_BUDGET_MS, timeUntilStatus } from './support/flip-timer.js';
import { SERVER_START_TIMEOUT_MS, sharedUnleash } from './support/shared-unleash.js';

const FLAG = 'maintenance-mode'; // the middleware's default flag name

describe('integration: toggling maintenance-mode in Unleash', function () {
  let stack: UnleashStack;
  let client: TestClient;
  let app: RunningApp;

  before(async function () {
    this.timeout(SERVER_START_TIMEOUT_MS);
    stack = await sharedUnleash();
    await stack.admin.deleteFlag(FLAG);
    await stack.admin.createFlag(FLAG);
    client = createTestClient({ url: stack.url, token: stack.tokens.production });
    await waitUntilSynchronized(client);
    app = await startApp({ unleash: client.unleash });
  });

  after(async function () {
    await app?.close();
    client?.destroy();
    await stack?.admin.deleteFlag(FLAG);
  });

  it('answers 503 within 2 s of switching the flag on, and 200 within 2 s of switching it off', async function () {
    expect((await httpGet(app.url)).status).to.equal(200);

    let since = Date.now();
    await stack.admin.setEnabled(FLAG, 'production', true);
    const onMs = await timeUntilStatus(app.url, 503, since);

    since = Date.now();
    await stack.admin.setEnabled(FLAG, 'production', false);
    const offMs = await timeUntilStatus(app.url, 200, since);

    console.log(`      propagation: on ${onMs} ms, off ${offMs} ms (budget ${PROPAGATION_BUDGET_MS} ms)`);
    expect(onMs).to.be.at.most(PROPAGATION_BUDGET_MS);
    expect(offMs).to.be.at.most(PROPAGATION_BUDGET_MS);
  });
});
