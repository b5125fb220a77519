import { expect } from 'chai';
import { useFlagApp } from '../support/flag-app.js';
import { createFlagWithPayload, uniqueFlagName } from '../support/flags.js';

const PAYLOAD = { mode: 'read-only', message: 'Orders are paused while we move to a bigger database.' };

describe('integration: a read-only window decided by the variant payload', function () {
  const flag = uniqueFlagName('read-only');
  const fixture = useFlagApp({
    flag,
    setUp: (stack) => createFlagWithPayload(stack, flag, 'production', PAYLOAD),
    // The option says block: only the payload can make this window read-only.
    app: { flagName: flag, mode: 'block' },
  });

  it('lets reads through and answers writes with a read-only 503', async function () {
    const { app } = fixture;
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const read = await fetch(`${app.url}/products`, { method, signal: AbortSignal.timeout(5_000) });
      expect(read.status, method).to.equal(200);
    }

    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const write = await fetch(`${app.url}/orders`, {
        method,
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(5_000),
      });
      expect(write.status, method).to.equal(503);
      expect(write.headers.get('content-type'), method).to.equal('application/problem+json; charset=utf-8');
      expect(await write.json(), method).to.include({ status: 503, mode: 'read-only', title: 'Read-only during maintenance', detail: PAYLOAD.message });
    }

    const page = await fetch(`${app.url}/orders`, { method: 'POST', headers: { accept: 'text/html', 'accept-language': 'de' }, signal: AbortSignal.timeout(5_000) });
    expect(page.status).to.equal(503);
    const html = await page.text();
    expect(html).to.contain('<html lang="de">').and.contain('Wegen Wartungsarbeiten nur lesbar').and.contain(PAYLOAD.message);
  });
});
