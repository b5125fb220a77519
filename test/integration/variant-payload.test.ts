import { expect } from 'chai';
import { useFlagApp } from '../support/flag-app.js';
import { createFlagWithPayload, uniqueFlagName } from '../support/flags.js';
import { httpGet } from '../support/http.js';

const PAYLOAD = { message: 'We are moving to a bigger database, back in two minutes.', retryAfter: 120 };

describe('integration: variant payload from Unleash', function () {
  const flag = uniqueFlagName('variant');
  const fixture = useFlagApp({
    flag,
    setUp: (stack) => createFlagWithPayload(stack, flag, 'production', PAYLOAD),
    app: { flagName: flag },
  });

  it('shows the message on the page and sends the Retry-After it carries', async function () {
    const { app } = fixture;
    const page = await httpGet(app.url, { headers: { accept: 'text/html' } });
    expect(page.status).to.equal(503);
    expect(page.body).to.contain(PAYLOAD.message);
    expect(page.headers['retry-after']).to.equal(String(PAYLOAD.retryAfter));

    const problem = await httpGet(app.url, { headers: { accept: 'application/json' } });
    expect(problem.status).to.equal(503);
    expect(JSON.parse(problem.body)).to.include({ detail: PAYLOAD.message, retryAfter: PAYLOAD.retryAfter });
  });
});
