import { expect } from 'chai';
import type { UnleashStack } from '../../dev/unleash/index.js';
import { startApp, type RunningApp } from './support/app.js';
import type { TestClient } from './support/client.js';
import { productionClientSeeing, uniqueFlagName } from './support/flags.js';
import { httpGet } from './support/http.js';
import { SERVER_START_TIMEOUT_MS, sharedUnleash } from './support/shared-unleash.js';

// Distinct loopback source addresses: Linux routes all of 127.0.0.0/8 to lo.
const PROXY = '127.0.0.2';
const TARGETED_CLIENT = '127.0.0.3';
const OTHER_CLIENT = '127.0.0.4';

describe('integration: remoteAddress strategy through a trusted proxy', function () {
  const flag = uniqueFlagName('remote-address');
  let stack: UnleashStack;
  let client: TestClient;
  let app: RunningApp;

  before(async function () {
    this.timeout(SERVER_START_TIMEOUT_MS);
    stack = await sharedUnleash();
    await stack.admin.createFlag(flag);
    await stack.admin.addStrategy(flag, 'production', { name: 'remoteAddress', parameters: { IPs: TARGETED_CLIENT } });
    await stack.admin.setEnabled(flag, 'production', true);
    client = await productionClientSeeing(stack, flag);
    app = await startApp({ unleash: client.unleash, flagName: flag, trustProxy: PROXY });
  });

  after(async function () {
    await app?.close();
    client?.destroy();
    await stack?.admin.deleteFlag(flag);
  });

  const viaProxy = (clientIp: string) => httpGet(app.url, { localAddress: PROXY, headers: { 'x-forwarded-for': clientIp } });

  it('blocks the listed address as resolved through the proxy hop, and nobody else', async function () {
    expect((await viaProxy(TARGETED_CLIENT)).status, 'listed client via the proxy').to.equal(503);
    expect((await viaProxy(OTHER_CLIENT)).status, 'other client via the proxy').to.equal(200);
    expect((await httpGet(app.url, { localAddress: PROXY })).status, 'the proxy itself').to.equal(200);
    expect((await httpGet(app.url, { localAddress: TARGETED_CLIENT })).status, 'listed client connecting directly').to.equal(503);

    const spoofed = await httpGet(app.url, { localAddress: OTHER_CLIENT, headers: { 'x-forwarded-for': TARGETED_CLIENT } });
    expect(spoofed.status, 'X-Forwarded-For from an untrusted peer is ignored').to.equal(200);
  });
});
