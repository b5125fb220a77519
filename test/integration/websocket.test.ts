import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import Koa from 'koa';
import WebSocket, { WebSocketServer } from 'ws';
import { waitFor } from '../../dev/unleash/index.js';
import { maintenance } from '../../src/index.js';
import { createTestClient, waitUntilSynchronized, type TestClient } from '../support/server-client.js';
import { useSharedFlag } from '../support/flag-app.js';
import { uniqueFlagName } from '../support/flags.js';

/** README's `ws` recipe on the real unleash-server: the switch in Unleash closes a live WebSocket with 1013. */
describe('integration: a live WebSocket follows the flag on the real Unleash', function () {
  const flag = uniqueFlagName('websocket');
  let client: TestClient | undefined;
  let server: Server | undefined;
  let wsUrl = '';
  const fixture = useSharedFlag({
    flag,
    async setUp(stack) {
      await stack.admin.createFlag(flag);
      await stack.admin.addStrategy(flag, 'production', { name: 'default' });
      client = createTestClient({ url: stack.url, token: stack.tokens.production });
      await waitUntilSynchronized(client);
      const gate = maintenance({ unleash: client.unleash, flagName: flag, logger: { warn() {}, error() {} } });
      const app = new Koa();
      app.use(gate);
      const wss = new WebSocketServer({ noServer: true });
      wss.on('connection', (ws, req) => {
        ws.on('close', gate.watch(req, () => ws.close(1013, 'maintenance')));
        ws.send('hello');
      });
      server = createServer(app.callback());
      server.on('upgrade', gate.upgrade((req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      wsUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/live`;
    },
    async tearDown() {
      server?.closeAllConnections();
      server?.close();
      client?.destroy();
    },
  });

  it('connects while off, closes with 1013 once switched on, then refuses new upgrades with a 503', async function () {
    this.timeout(20_000);
    const ws = new WebSocket(wsUrl);
    await once(ws, 'message');
    const closed = once(ws, 'close');
    await fixture.stack.admin.setEnabled(flag, 'production', true);
    const unleash = client!.unleash;
    await waitFor(() => (unleash.isEnabled(flag) ? true : undefined), { description: 'the client to see the flag on', timeoutMs: 5_000 });
    const seenAt = Date.now();
    const [code] = (await closed) as [number];
    expect(code).to.equal(1013);
    expect(Date.now() - seenAt).to.be.below(1_000);
    const refused = new WebSocket(wsUrl);
    refused.on('error', () => {}); // terminate() below, before any handshake, reports one
    const [, response] = (await once(refused, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(response.statusCode).to.equal(503);
    refused.terminate();
  });
});
