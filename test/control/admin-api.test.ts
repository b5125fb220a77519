// Runs against a FAKE Unleash: a real node:http server on 127.0.0.1 (support/fake-unleash.ts)
// that plays the Admin API's answers for the calls under test. No Postgres, no unleash-server;
// the real server is covered by test/integration/cli.test.ts.
import { expect } from 'chai';
import type { AdminStrategy } from '../../src/control/admin-types.js';
import { createFlagAdminApi } from '../../src/control/admin-api.js';
import { UnleashError } from '../../src/control/errors.js';
import type { HttpTarget } from '../../src/control/http.js';
import {
  ADMIN_TOKEN,
  clientToken,
  failureOf,
  refusedUrl,
  UNLEASH_MAINTENANCE_MESSAGE,
  useFakeUnleash,
} from '../support/fake-unleash.js';

const STRATEGY: AdminStrategy = { name: 'flexibleRollout', title: 'unleash-maintenance', parameters: { rollout: '100', stickiness: 'default', groupId: 'f' } };

describe('control/admin-api', function () {
  const fake = useFakeUnleash();
  const target = (overrides: Partial<HttpTarget> = {}): HttpTarget => ({
    baseUrl: fake.server.url,
    token: ADMIN_TOKEN,
    tokenRole: 'admin token',
    timeoutMs: 2_000,
    ...overrides,
  });
  const api = (flag = 'f', project = 'default', overrides: Partial<HttpTarget> = {}) => createFlagAdminApi(target(overrides), project, flag);
  const writes = () => fake.server.requests.filter((request) => request.method !== 'GET');

  describe('projectEnvironments', function () {
    it('lists the environments of the project overview', async function () {
      expect(await api().projectEnvironments()).to.deep.equal(['development', 'production']);
      expect(fake.server.requests.map((request) => `${request.method} ${request.url}`)).to.deep.equal(['GET /api/admin/projects/default/overview']);
    });

    it('reads plain names too, and an overview without environments as none', async function () {
      fake.unleash.override = () => ({ status: 200, body: { environments: ['staging', { environment: 'production' }, { other: 1 }, 7] } });
      expect(await api().projectEnvironments()).to.deep.equal(['staging', 'production']);
      fake.unleash.override = () => ({ status: 200, body: { name: 'Default' } });
      expect(await api().projectEnvironments()).to.deep.equal([]);
    });

    it('throws "unknown-project" on 404', async function () {
      const error = await failureOf(() => api('f', 'elsewhere').projectEnvironments());
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'unknown-project', status: 404 });
      expect((error as Error).message).to.equal('Unknown project "elsewhere" (404 Not Found): Unleash has no project with that id.');
    });

    it('encodes the project id into the path', async function () {
      await failureOf(() => api('f', 'web shop/eu').projectEnvironments());
      expect(fake.server.requests[0]?.url).to.equal('/api/admin/projects/web%20shop%2Feu/overview');
    });

    it('throws "unauthorized" for an unknown token and "forbidden" for a backend token', async function () {
      const unknown = await failureOf(() => api('f', 'default', { token: 'wrong' }).projectEnvironments());
      expect(unknown).to.be.instanceOf(UnleashError).and.include({ kind: 'unauthorized', status: 401 });
      const backend = await failureOf(() => api('f', 'default', { token: clientToken('production') }).projectEnvironments());
      expect(backend).to.be.instanceOf(UnleashError).and.include({ kind: 'forbidden', status: 403 });
      expect((backend as Error).message).to.match(/^The admin token lacks the rights for GET \/api\/admin\/projects\/default\/overview \(403 Forbidden\)\./);
    });
  });

  describe('getFeature', function () {
    it('returns the flag with its environments', async function () {
      fake.unleash.addFeature('f', { production: { enabled: true, strategies: [STRATEGY] } });
      const feature = await api().getFeature();
      expect(feature?.name).to.equal('f');
      expect(feature?.environments?.map((environment) => [environment.name, environment.enabled])).to.deep.equal([
        ['development', false],
        ['production', true],
      ]);
      expect(feature?.environments?.[1]?.strategies?.[0]).to.deep.include({ ...STRATEGY, id: 'strategy-1' });
    });

    it('returns undefined for a flag that does not exist', async function () {
      expect(await api('missing').getFeature()).to.equal(undefined);
    });

    it('encodes the flag name into the path', async function () {
      fake.unleash.addFeature('site down/now');
      expect((await api('site down/now').getFeature())?.name).to.equal('site down/now');
      expect(fake.server.requests[0]?.url).to.equal('/api/admin/projects/default/features/site%20down%2Fnow');
    });

    it('passes other errors on', async function () {
      fake.unleash.override = () => ({ status: 500, body: { message: 'database is down' } });
      const error = await failureOf(() => api().getFeature());
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'rejected', status: 500 });
      expect((error as Error).message).to.equal('Unleash answered 500 to GET /api/admin/projects/default/features/f. Unleash says: database is down.');
    });
  });

  describe('createFeature', function () {
    it('creates a kill switch with a description saying who made it', async function () {
      await api().createFeature();
      expect(writes()).to.have.length(1);
      expect(writes()[0]).to.deep.include({
        url: '/api/admin/projects/default/features',
        body: { name: 'f', type: 'kill-switch', description: 'Maintenance mode (koa-unleash-maintenance)' },
      });
      expect(fake.unleash.features.get('f')).to.include({ type: 'kill-switch' });
    });

    it('is fine with a flag someone created meanwhile (409 and the flag is there)', async function () {
      fake.unleash.addFeature('f');
      await api().createFeature();
      expect(fake.unleash.features.get('f')).to.include({ type: 'release' }); // left as it was
    });

    it('explains a name taken by an archived flag (409 and no such flag)', async function () {
      fake.unleash.archived.add('f');
      const error = await failureOf(() => api().createFeature());
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'rejected', status: 409 });
      expect((error as Error).message).to.equal(
        'Cannot create the flag "f" in project "default" (409 Conflict). Unleash says: An archived flag with that name already exists. Revive the archived flag, or name the project it lives in.',
      );
    });

    it('reports a 404 as "rejected", naming the request', async function () {
      const error = await failureOf(() => api('f', 'gone').createFeature());
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'rejected', status: 404 });
      expect((error as Error).message).to.equal('Unleash answered 404 to POST /api/admin/projects/gone/features. Unleash says: Could not find project with id gone.');
    });

    it('says that Unleash itself is in maintenance mode (503 on writes)', async function () {
      fake.unleash.override = (request) => (request.method === 'GET' ? undefined : { status: 503, body: { message: UNLEASH_MAINTENANCE_MESSAGE } });
      const error = await failureOf(() => api().createFeature());
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'unleash-maintenance', status: 503 });
      expect((error as Error).message).to.equal('Unleash itself is in maintenance mode (set in its admin settings), so it refuses POST /api/admin/projects/default/features: it takes no changes until an admin turns that off.');
      expect(fake.unleash.features.size).to.equal(0);
    });
  });

  describe('addStrategy, updateStrategy, setEnabled', function () {
    beforeEach(function () {
      fake.unleash.addFeature('f');
    });

    it('add a strategy to one environment, update it by id, and switch the environment on and off', async function () {
      const flag = api();
      await flag.addStrategy('production', STRATEGY);
      const [added] = fake.unleash.features.get('f')!.environments[1]!.strategies;
      expect(added).to.deep.equal({ ...STRATEGY, id: 'strategy-1' });

      await flag.updateStrategy('production', 'strategy-1', { ...STRATEGY, parameters: { ...STRATEGY.parameters, rollout: '30' } });
      await flag.setEnabled('production', true);
      const production = fake.unleash.features.get('f')!.environments[1]!;
      expect(production.enabled).to.equal(true);
      expect(production.strategies).to.deep.equal([{ ...STRATEGY, parameters: { ...STRATEGY.parameters, rollout: '30' }, id: 'strategy-1' }]);
      expect(fake.unleash.features.get('f')!.environments[0]).to.deep.equal({ name: 'development', enabled: false, strategies: [] });

      await flag.setEnabled('production', false);
      expect(production.enabled).to.equal(false);
      expect(writes().map((request) => `${request.method} ${request.url}`)).to.deep.equal([
        'POST /api/admin/projects/default/features/f/environments/production/strategies',
        'PUT /api/admin/projects/default/features/f/environments/production/strategies/strategy-1',
        'POST /api/admin/projects/default/features/f/environments/production/on',
        'POST /api/admin/projects/default/features/f/environments/production/off',
      ]);
    });

    it('report a vanished environment or strategy (404) as "rejected", with Unleash\'s reason', async function () {
      const flag = api();
      const environment = await failureOf(() => flag.setEnabled('staging', true));
      expect(environment).to.be.instanceOf(UnleashError).and.include({ kind: 'rejected', status: 404 });
      expect((environment as Error).message).to.equal(
        'Unleash answered 404 to POST /api/admin/projects/default/features/f/environments/staging/on. Unleash says: Could not find environment staging.',
      );
      const strategy = await failureOf(() => flag.updateStrategy('production', 'no-such-id', STRATEGY));
      expect(strategy).to.be.instanceOf(UnleashError).and.include({ kind: 'rejected', status: 404 });
      expect((strategy as Error).message).to.match(/^Unleash answered 404 to PUT .*\/strategies\/no-such-id\. Unleash says: Could not find strategy with id no-such-id\.$/);
    });

    it('encode environment and strategy id into the path', async function () {
      await failureOf(() => api().updateStrategy('pre prod', 'a/b', STRATEGY));
      expect(fake.server.requests[0]?.url).to.equal('/api/admin/projects/default/features/f/environments/pre%20prod/strategies/a%2Fb');
    });

    it('pass on 403 and Unleash\'s maintenance mode', async function () {
      const forbidden = await failureOf(() => api('f', 'default', { token: clientToken('production') }).addStrategy('production', STRATEGY));
      expect(forbidden).to.be.instanceOf(UnleashError).and.include({ kind: 'forbidden', status: 403 });

      fake.unleash.override = () => ({ status: 503, body: { message: UNLEASH_MAINTENANCE_MESSAGE } });
      const maintenance = await failureOf(() => api().setEnabled('production', true));
      expect(maintenance).to.be.instanceOf(UnleashError).and.include({ kind: 'unleash-maintenance', status: 503 });
      expect((maintenance as Error).message).to.match(/^Unleash itself is in maintenance mode /);
      expect(fake.unleash.features.get('f')!.environments[1]!.enabled).to.equal(false);
    });
  });

  describe('network failures', function () {
    it('throw "unreachable" when the connection is refused', async function () {
      const url = await refusedUrl();
      const error = await failureOf(() => api('f', 'default', { baseUrl: url }).getFeature());
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'unreachable' });
      expect((error as Error).message).to.equal(`Cannot reach Unleash at ${url}: connection refused`);
    });

    it('throw "unreachable" when Unleash does not answer in time', async function () {
      fake.unleash.override = () => 'hang';
      const error = await failureOf(() => api('f', 'default', { timeoutMs: 150 }).setEnabled('production', true));
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'unreachable' });
      expect((error as Error).message).to.equal(`Cannot reach Unleash at ${fake.server.url}: no answer within 150 ms`);
    });
  });
});
