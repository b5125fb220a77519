import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import Koa from 'koa';
import { waitFor } from '../../dev/unleash/index.js';
import { maintenance, maintenanceBanner, type MaintenanceState } from '../../src/index.js';
import { createTestClient, waitUntilSynchronized, type TestClient } from '../support/server-client.js';
import { useSharedFlag } from '../support/flag-app.js';
import { uniqueFlagName } from '../support/flags.js';

const SECOND = 1_000;
const timeConstraint = (operator: 'DATE_AFTER' | 'DATE_BEFORE', time: Date) => ({
  contextName: 'currentTime', operator, value: time.toISOString(), values: [], inverted: false, caseInsensitive: false,
});

interface Seen {
  status: number;
  state: MaintenanceState | undefined;
  banner: string;
  body: string;
}

/**
 * A scheduled window on the real unleash-server: written as a strategy with DATE_AFTER and DATE_BEFORE on
 * currentTime (what `unleash-maintenance on --from --until` writes), starting 3 s ahead, ending 6 s ahead,
 * announced an hour before. The app and the status endpoint follow it through before, during and after.
 */
describe('integration: a scheduled window, announced, shown, ended by itself', function () {
  const flag = uniqueFlagName('window');
  let client: TestClient | undefined;
  let server: Server | undefined;
  let url = '';
  const fixture = useSharedFlag({
    flag,
    async setUp(stack) {
      await stack.admin.createFlag(flag);
      client = createTestClient({ url: stack.url, token: stack.tokens.production });
      await waitUntilSynchronized(client);
      const app = new Koa();
      app.use(maintenance({ unleash: client.unleash, flagName: flag, statusPath: '/maintenance.json', logger: { warn() {}, error() {} } }));
      app.use((ctx) => {
        const state = ctx.state.maintenance as MaintenanceState;
        ctx.body = { state, banner: maintenanceBanner(state, { lang: 'en' }) };
      });
      server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async tearDown() {
      server?.closeAllConnections();
      server?.close();
      client?.destroy();
    },
  });

  async function visit(path = '/'): Promise<Seen> {
    const reply = await fetch(`${url}${path}`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5_000) });
    const body = await reply.text();
    const parsed = reply.status === 200 && path === '/' ? (JSON.parse(body) as { state: MaintenanceState; banner: string }) : undefined;
    return { status: reply.status, state: parsed?.state, banner: parsed?.banner ?? '', body };
  }

  it('before: passes and announces; during: the 503 with until; after: passes with nothing upcoming', async function () {
    this.timeout(30_000);
    const { stack } = fixture;
    const from = new Date(Date.now() + 3 * SECOND);
    const until = new Date(Date.now() + 6 * SECOND);
    const payload = { title: 'Database upgrade', until: until.toISOString(), from: from.toISOString(), notice: 3600 };
    await stack.admin.addStrategy(flag, 'production', {
      name: 'flexibleRollout',
      parameters: { rollout: '100', stickiness: 'default', groupId: flag },
      constraints: [timeConstraint('DATE_AFTER', from), timeConstraint('DATE_BEFORE', until)],
      variants: [{ name: 'window', weight: 1000, weightType: 'variable', stickiness: 'default', payload: { type: 'json', value: JSON.stringify(payload) } }],
    });
    await stack.admin.setEnabled(flag, 'production', true);
    const unleash = client!.unleash;
    await waitFor(() => (unleash.getFeatureToggleDefinition(flag)?.enabled ? true : undefined), { description: 'the client to see the window', timeoutMs: 2_500 });

    const before = await visit();
    expect(Date.now(), 'still before the window: the set-up was slow').to.be.below(from.getTime());
    expect(before.status).to.equal(200);
    expect(before.state).to.deep.include({ active: false, reason: 'off' });
    expect(before.state?.upcoming).to.deep.include({ from: from.toISOString(), until: until.toISOString(), title: 'Database upgrade' });
    expect(before.banner).to.match(/^<p class="maintenance-banner" role="status" lang="en">Scheduled maintenance on .* UTC\.<\/p>$/);
    const announced = JSON.parse((await visit('/maintenance.json')).body);
    expect(announced).to.deep.equal({ active: false, mode: 'block', from: from.toISOString(), until: until.toISOString(), title: 'Database upgrade' });

    const during = await waitFor(async () => {
      const seen = await visit();
      return seen.status === 503 ? seen : undefined;
    }, { description: 'the 503 once the window starts', timeoutMs: 6 * SECOND, intervalMs: 100 });
    expect(JSON.parse(during.body)).to.include({ status: 503, title: 'Database upgrade', until: until.toISOString() });
    expect(JSON.parse((await visit('/maintenance.json')).body)).to.include({ active: true, until: until.toISOString() });

    const afterwards = await waitFor(async () => {
      const seen = await visit();
      return seen.status === 200 && Date.now() >= until.getTime() ? seen : undefined;
    }, { description: 'the site back once the window ends', timeoutMs: 8 * SECOND, intervalMs: 100 });
    expect(afterwards.state).to.deep.equal({ active: false, reason: 'off' });
    expect(afterwards.banner).to.equal('');
    expect(JSON.parse((await visit('/maintenance.json')).body)).to.deep.equal({ active: false, mode: 'block' });
  });
});
