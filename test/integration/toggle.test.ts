import { expect } from 'chai';
import { useFlagApp } from '../support/flag-app.js';
import { httpGet } from '../support/http.js';
import { PROPAGATION_BUDGET_MS, timeUntilStatus } from '../support/flip-timer.js';
import { SERVER_START_TIMEOUT_MS, sharedUnleash, skipOnExistingServer } from '../support/shared-unleash.js';

const FLAG = 'maintenance-mode'; // the middleware's default flag name

describe('integration: toggling maintenance-mode in Unleash', function () {
  before(async function () {
    this.timeout(SERVER_START_TIMEOUT_MS);
    skipOnExistingServer(this, await sharedUnleash(), 'it deletes and recreates the flag maintenance-mode, which may be yours');
  });
  const fixture = useFlagApp({
    flag: FLAG,
    async setUp(stack) {
      await stack.admin.deleteFlag(FLAG);
      await stack.admin.createFlag(FLAG);
    },
    clientSees: 'first-answer', // the flag starts off
    app: {}, // no flagName: the middleware's default
  });

  it('answers 503 within 2 s of switching the flag on, and 200 within 2 s of switching it off', async function () {
    const { stack, app } = fixture;
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
