import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { AdminStrategy } from '../../src/control/admin-types.js';
import { UnleashError } from '../../src/control/errors.js';
import type { HttpTarget } from '../../src/control/http.js';
import { clientTokensByEnvironment, waitUntilServed } from '../../src/control/served-state.js';

const STRATEGY: AdminStrategy = { name: 'flexibleRollout', parameters: { rollout: '100', stickiness: 'default', groupId: 'f' }, constraints: [], variants: [] };

/** A stand-in for Unleash's client API that serves whatever `served` holds, per token. */
async function startFakeClientApi(served: { enabled: boolean; strategies: AdminStrategy[] }) {
  const server: Server = createServer((request, response) => {
    const environment = String(request.headers.authorization).split('.')[0];
    if (environment === 'bad') {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"You must log in."}');
      return;
    }
    const body = { features: [{ name: 'f', ...served }, { name: 'f-other', enabled: true }], query: { environment } };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const target = (token: string): HttpTarget => ({ baseUrl, token, tokenRole: 'client token', timeoutMs: 1_000 });
  return { target, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('control/served-state', function () {
  const served = { enabled: false, strategies: [] as AdminStrategy[] };
  let api: Awaited<ReturnType<typeof startFakeClientApi>>;

  before(async function () {
    api = await startFakeClientApi(served);
  });

  after(async function () {
    await api.close();
  });

  it('learns which environment each token serves', async function () {
    const targets = await clientTokensByEnvironment([api.target('production.x'), api.target('development.y')], 'f', ['production']);
    expect([...targets.keys()]).to.deep.equal(['production', 'development']);
  });

  it('refuses when no token serves an environment to be changed', async function () {
    const error = await clientTokensByEnvironment([api.target('development.y')], 'f', ['production', 'staging']).catch((failure: unknown) => failure);
    expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'not-served' });
    expect((error as Error).message).to.equal(
      'No client token serves "production", "staging", so the change cannot be confirmed there (the client tokens given serve "development").',
    );
  });

  it('reports a rejected client token as such', async function () {
    const error = await clientTokensByEnvironment([api.target('bad.z')], 'f', ['production']).catch((failure: unknown) => failure);
    expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'unauthorized' });
    expect((error as Error).message).to.match(/^Unleash rejected the client token \(401 Unauthorized\)/);
  });

  it('gives up at the deadline when the state is not served', async function () {
    served.enabled = false;
    const targets = new Map([['production', api.target('production.x')]]);
    const started = Date.now();
    const error = await waitUntilServed('f', [{ environment: 'production', enabled: true, strategy: STRATEGY }], targets, 300).catch(
      (failure: unknown) => failure,
    );
    expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'not-served' });
    expect((error as Error).message).to.equal('Unleash did not serve the new state of "f" in "production" within 300 ms.');
    expect(Date.now() - started).to.be.within(300, 2_000);
  });

  it('waits for the written strategy, not just for "enabled"', async function () {
    served.enabled = true;
    served.strategies = [{ ...STRATEGY, parameters: { ...STRATEGY.parameters, rollout: '50' } }];
    const targets = new Map([['production', api.target('production.x')]]);
    const expectation = [{ environment: 'production', enabled: true, strategy: STRATEGY }];
    const waiting = waitUntilServed('f', expectation, targets, 5_000);
    setTimeout(() => (served.strategies = [STRATEGY]), 300);
    await waiting;
    expect(served.strategies).to.deep.equal([STRATEGY]);
  });

  it('counts a flag that is off as served for "off"', async function () {
    served.enabled = false;
    await waitUntilServed('f', [{ environment: 'production', enabled: false }], new Map([['production', api.target('production.x')]]), 1_000);
  });
});
