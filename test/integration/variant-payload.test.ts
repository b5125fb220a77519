import { expect } from 'chai';
import { waitFor, type UnleashStack } from '../../dev/unleash/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { createTestClient, waitUntilSynchronized, type TestClient } from './support/client.js';
import { uniqueFlagName } from './support/flags.js';
import { httpGet } from './support/http.js';
import { SERVER_START_TIMEOUT_MS, sharedUnleash } from './support/shared-unleash.js';

const PAYLOAD = { message: 'We are moving to a bigger database, back in two minutes.', retryAfter: 120 };

describe('integration: variant payload from Unleash', function () {
  const flag = uniqueFlagName('variant');
  let stack: UnleashStack;
  let client: TestClient;
  let app: RunningApp;

  before(async function () {
    this.timeout(SERVER_START_TIMEOUT_MS);
    stack = await sharedUnleash();
    await stack.admin.createFlag(flag);
    await stack.admin.addStrategy(flag, 'production', {
      name: 'flexibleRollout',
      parameters: { rollout: '100', stickiness: 'default', groupId: flag },
      variants: [
        {
          name: 'notice',
          weight: 1000,
          weightType: 'variable',
          stickiness: 'default',
          payload: { type: 'json', value: JSON.stringify(PAYLOAD) },
        },
      ],
    });
    await stack.admin.setEnabled(flag, 'production', true);
    client = createTestClient({ url: stack.url, token: stack.tokens.production });
    await waitUntilSynchronized(client);
    await waitFor(() => (client.unleash.getFeatureToggleDefinition(flag)?.enabled ? true : undefined), {
      description: `the client to see ${flag} enabled`,
      timeoutMs: 2_000,
    });
    app = await startApp({ unleash: client.unleash, flagName: flag });
  });

  after(async function () {
    await app?.close();
    client?.destroy();
    await stack?.admin.deleteFlag(flag);
  });

  it('shows the message on the page and sends the Retry-After it carries', async function () {
    const page = await httpGet(app.url, { headers: { accept: 'text/html' } });
    expect(page.status).to.equal(503);
    expect(page.body).to.contain(PAYLOAD.message);
    expect(page.headers['retry-after']).to.equal(String(PAYLOAD.retryAfter));

    const problem = await httpGet(app.url, { headers: { accept: 'application/json' } });
    expect(problem.status).to.equal(503);
    expect(JSON.parse(problem.body)).to.include({ detail: PAYLOAD.message, retryAfter: PAYLOAD.retryAfter });
  });
});
