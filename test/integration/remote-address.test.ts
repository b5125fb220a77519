import { expect } from 'chai';
import { useFlagApp } from '../support/flag-app.js';
import { uniqueFlagName } from '../support/flags.js';
import { httpGet } from '../support/http.js';

// Distinct loopback source addresses: Linux routes all of 127.0.0.0/8 to lo.
const PROXY = '127.0.0.2';
const TARGETED_CLIENT = '127.0.0.3';
const OTHER_CLIENT = '127.0.0.4';

describe('integration: remoteAddress strategy through a trusted proxy', function () {
  const flag = uniqueFlagName('remote-address');
  const fixture = useFlagApp({
    flag,
    async setUp(stack) {
      await stack.admin.createFlag(flag);
      await stack.admin.addStrategy(flag, 'production', { name: 'remoteAddress', parameters: { IPs: TARGETED_CLIENT } });
      await stack.admin.setEnabled(flag, 'production', true);
    },
    app: { flagName: flag, trustProxy: PROXY },
  });

  const viaProxy = (clientIp: string) => httpGet(fixture.app.url, { localAddress: PROXY, headers: { 'x-forwarded-for': clientIp } });

  it('blocks the listed address as resolved through the proxy hop, and nobody else', async function () {
    const { app } = fixture;
    expect((await viaProxy(TARGETED_CLIENT)).status, 'listed client via the proxy').to.equal(503);
    expect((await viaProxy(OTHER_CLIENT)).status, 'other client via the proxy').to.equal(200);
    expect((await httpGet(app.url, { localAddress: PROXY })).status, 'the proxy itself').to.equal(200);
    expect((await httpGet(app.url, { localAddress: TARGETED_CLIENT })).status, 'listed client connecting directly').to.equal(503);

    const spoofed = await httpGet(app.url, { localAddress: OTHER_CLIENT, headers: { 'x-forwarded-for': TARGETED_CLIENT } });
    expect(spoofed.status, 'X-Forwarded-For from an untrusted peer is ignored').to.equal(200);
  });
});
