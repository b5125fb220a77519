import { expect } from 'chai';
import type { UnleashStack } from '../../dev/unleash/index.js';
import { startApp, type RunningApp } from './support/app.js';
import type { TestClient } from './support/client.js';
import { createFlagWithPayload, productionClientSeeing, uniqueFlagName } from './support/flags.js';
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
    await createFlagWithPayload(stack, flag, 'production', PAYLOAD);
    client = await productionClientSeeing(stack, flag);
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
