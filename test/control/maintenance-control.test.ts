// Runs against a FAKE Unleash: a real node:http server on 127.0.0.1 (support/fake-unleash.ts)
// holding a small in-memory project and playing the Admin and client API answers that
// MaintenanceControl asks for. No Postgres, no unleash-server; the real server is covered by
// test/integration/cli.test.ts.
import { expect } from 'chai';
import type { AdminStrategy } from '../../src/control/admin-types.js';
import { ControlInputError, MaintenanceControl, UnleashError } from '../../src/control/index.js';
import type { MaintenanceControlOptions } from '../../src/control/index.js';
import { STRATEGY_TITLE } from '../../src/control/strategy.js';
import {
  ADMIN_TOKEN,
  clientToken,
  failureOf,
  refusedUrl,
  UNLEASH_MAINTENANCE_MESSAGE,
  useFakeUnleash,
} from '../support/fake-unleash.js';

const FLAG = 'site-maintenance';

describe('control/maintenance-control', function () {
  const fake = useFakeUnleash();
  const control = (options: Partial<MaintenanceControlOptions> = {}) =>
    new MaintenanceControl({ url: fake.server.url, token: ADMIN_TOKEN, flag: FLAG, requestTimeoutMs: 2_000, ...options });
  const writes = () => fake.server.requests.filter((request) => request.method !== 'GET');
  const environment = (name: string, flag = FLAG) => fake.unleash.features.get(flag)?.environments.find((candidate) => candidate.name === name);

  describe('input', function () {
    const refusedAtConstruction: [Partial<MaintenanceControlOptions>, string, RegExp][] = [
      [{ url: 'unleash.example.com' }, 'url', /^url must be an absolute http\(s\) URL, got "unleash.example.com"$/],
      [{ url: 'ftp://unleash.example.com' }, 'url', /^url must be an http\(s\) URL, got "ftp:"$/],
      [{ token: '' }, 'token', /^token must not be empty$/],
      [{ token: '   ' }, 'token', /^token must not be empty$/],
      [{ project: ' ' }, 'project', /^project must not be empty$/],
      [{ flag: '' }, 'flag', /^flag must not be empty$/],
      [{ url: 'http://admin:hunter2@unleash.example.com' }, 'url', /^url must not hold a user name or password; Unleash takes the API token instead$/],
      [{ requestTimeoutMs: -1 }, 'requestTimeoutMs', /^requestTimeoutMs must be a whole number of milliseconds above 0, got -1$/],
      [{ requestTimeoutMs: Number.NaN }, 'requestTimeoutMs', /^requestTimeoutMs must be a whole number/],
    ];
    for (const [options, option, message] of refusedAtConstruction) {
      it(`refuses ${JSON.stringify(options)} when constructed`, function () {
        expect(() => control(options)).to.throw(ControlInputError, message).with.property('option', option);
      });
    }

    it('defaults to the project "default" and the flag "maintenance-mode", trimming what is given', function () {
      expect(new MaintenanceControl({ url: fake.server.url, token: ADMIN_TOKEN })).to.include({ project: 'default', flag: 'maintenance-mode' });
      expect(control({ project: ' web ', flag: ' down ' })).to.include({ project: 'web', flag: 'down' });
    });

    const refusedCalls: [string, (subject: MaintenanceControl) => Promise<unknown>, string, RegExp][] = [
      ['no environment', (subject) => subject.enable([]), 'environment', /^environment must name at least one environment$/],
      ['a blank environment', (subject) => subject.disable(['production', ' ']), 'environment', /^environment must not be empty$/],
      ['a rollout over 100', (subject) => subject.enable('production', { rollout: 101 }), 'rollout', /whole percentage from 0 to 100, got 101/],
      ['an end in the past', (subject) => subject.enable('production', { until: '2001-01-01T00:00:00Z' }), 'until', /must lie in the future/],
      ['an unreadable end', (subject) => subject.enable('production', { until: 'soon' }), 'until', /must be an ISO 8601 time/],
      ['an empty message', (subject) => subject.enable('production', { message: ' ' }), 'message', /must not be empty/],
      ['a start at the end', (subject) => subject.enable('production', { from: '1h', until: '1h' }), 'from', /^from must lie before until/],
      ['a start after the end', (subject) => subject.enable('production', { from: '3h', until: '2h' }), 'from', /^from must lie before until/],
      ['an unreadable start', (subject) => subject.enable('production', { from: 'after lunch' }), 'from', /must be an ISO 8601 time/],
      ['a notice without a start', (subject) => subject.enable('production', { until: '1h', notice: '30m' }), 'notice', /^notice only applies with from/],
      ['an unreadable notice', (subject) => subject.enable('production', { from: '1h', notice: '1w' }), 'notice', /^notice must be a duration/],
    ];
    for (const [what, call, option, message] of refusedCalls) {
      it(`refuses ${what} before sending anything`, async function () {
        const error = await failureOf(() => call(control()));
        expect(error).to.be.instanceOf(ControlInputError).and.include({ option });
        expect((error as Error).message).to.match(message);
        expect(fake.server.requests).to.deep.equal([]);
      });
    }

    it('refuses status of no environment, having only read', async function () {
      const error = await failureOf(() => control().status([]));
      expect(error).to.be.instanceOf(ControlInputError).and.include({ option: 'environment' });
      expect((error as Error).message).to.equal('environment must name at least one environment');
      expect(writes()).to.deep.equal([]);
    });

    it('refuses a wait without client tokens, and a blank client token, before changing anything', async function () {
      const none = await failureOf(() => control().enable('production', { wait: { clientTokens: [] } }));
      expect(none).to.be.instanceOf(ControlInputError).and.include({ option: 'wait.clientTokens' });
      expect((none as Error).message).to.equal('wait.clientTokens must hold at least one backend (client) token');
      const blank = await failureOf(() => control().disable('production', { wait: { clientTokens: [' '] } }));
      expect(blank).to.be.instanceOf(ControlInputError).and.include({ option: 'wait.clientTokens' });
      const forever = await failureOf(() => control().enable('production', { wait: { clientTokens: [clientToken('production')], timeoutMs: 0 } }));
      expect(forever).to.be.instanceOf(ControlInputError).and.include({ option: 'wait.timeoutMs' });
      expect(writes()).to.deep.equal([]);
      expect(fake.unleash.features.size).to.equal(0);
    });

    it('accepts a base URL ending in /api/ and a token with spaces around it', async function () {
      const status = await control({ url: `${fake.server.url}/api/`, token: ` ${ADMIN_TOKEN} ` }).status();
      expect(status.exists).to.equal(false);
      expect(fake.server.requests.map((request) => [request.url, request.authorization])).to.deep.equal([
        ['/api/admin/projects/default/overview', ADMIN_TOKEN],
        [`/api/admin/projects/default/features/${FLAG}`, ADMIN_TOKEN],
      ]);
    });
  });

  describe('status', function () {
    it('says a flag that was never created is off in every environment of the project', async function () {
      expect(await control().status()).to.deep.equal({
        project: 'default',
        flag: FLAG,
        exists: false,
        environments: ['development', 'production'].map((name) => ({
          environment: name,
          enabled: false,
          rollout: null,
          stickiness: null,
          title: null,
          message: null,
          area: null,
          retryAfter: null,
          until: null,
          ended: false,
          from: null,
          notice: null,
          mode: null,
          maxPause: null,
          state: 'off',
          scopes: [],
        })),
      });
    });

    it('shows only the environments asked for, each once, in the order asked', async function () {
      fake.unleash.addFeature(FLAG, { production: { enabled: true } });
      const status = await control().status(['production', 'development', 'production']);
      expect(status.exists).to.equal(true);
      expect(status.environments.map((entry) => [entry.environment, entry.enabled])).to.deep.equal([
        ['production', true],
        ['development', false],
      ]);
    });

    it('reads a flag switched on in the UI (Unleash\'s own default strategy) as 100%', async function () {
      fake.unleash.addFeature(FLAG, { production: { enabled: true, strategies: [{ name: 'default' }] } });
      expect((await control().status('production')).environments[0]).to.include({ enabled: true, rollout: 100, stickiness: null, message: null });
    });
  });

  describe('enable', function () {
    it('creates the flag as a kill switch, writes the window into production only and reads it back', async function () {
      const until = new Date(Date.now() + 3_600_000);
      const options = { rollout: 40, stickiness: 'userId', title: 'Upgrade', message: 'Back soon', retryAfter: 120, until };
      const [production, ...others] = await control().enable('production', options);
      expect(others).to.deep.equal([]);
      const window = {
        rollout: 40,
        stickiness: 'userId',
        title: 'Upgrade',
        message: 'Back soon',
        area: null,
        retryAfter: 120,
        until: until.toISOString(),
        ended: false,
        from: null,
        notice: null,
        mode: null,
        maxPause: null,
        state: 'on',
      };
      expect(production).to.deep.equal({
        environment: 'production',
        enabled: true,
        ...window,
        scopes: [{ scope: null, description: 'the whole site', ...window }],
      });

      expect(fake.unleash.features.get(FLAG)).to.include({ type: 'kill-switch' });
      expect(environment('production')?.strategies).to.have.length(1);
      expect(environment('production')?.strategies[0]).to.deep.include({ name: 'flexibleRollout', title: STRATEGY_TITLE });
      expect(environment('development')).to.deep.equal({ name: 'development', enabled: false, strategies: [] });
      expect((await control().status('production')).environments).to.deep.equal([production]);
    });

    it('updates its own strategy on a second call instead of adding one, and leaves an enabled flag on', async function () {
      await control().enable('production', { rollout: 10, message: 'First' });
      const [first] = environment('production')!.strategies;
      const [again] = await control().enable('production', { rollout: 30, message: 'Second' });
      expect(again).to.include({ enabled: true, rollout: 30, message: 'Second' });
      expect(environment('production')?.strategies).to.have.length(1);
      expect(environment('production')?.strategies[0]?.id).to.equal(first?.id);
      // Already on: nothing switched it off and on again.
      expect(writes().filter((request) => request.url.endsWith('/on'))).to.have.length(1);
    });

    it('takes over the only strategy there is (Unleash adds one when a flag is switched on bare)', async function () {
      fake.unleash.addFeature(FLAG, { production: { enabled: true, strategies: [{ name: 'flexibleRollout', title: null, parameters: { rollout: '100' } }] } });
      await control().enable('production', { message: 'Now with a message' });
      expect(environment('production')?.strategies).to.have.length(1);
      expect(environment('production')?.strategies[0]).to.include({ title: STRATEGY_TITLE, id: 'strategy-1' });
    });

    it('adds its strategy beside several foreign ones and touches none of them', async function () {
      const foreign: AdminStrategy[] = [
        { name: 'userWithId', title: 'beta users', parameters: { userIds: 'a,b' } },
        { name: 'remoteAddress', title: 'office', parameters: { IPs: '10.0.0.1' } },
      ];
      fake.unleash.addFeature(FLAG, { production: { enabled: false, strategies: foreign } });
      await control().enable('production');
      const strategies = environment('production')!.strategies;
      expect(strategies).to.have.length(3);
      expect(strategies.slice(0, 2)).to.deep.equal(foreign.map((strategy, index) => ({ ...strategy, id: `strategy-${index + 1}` })));
      expect(strategies[2]).to.include({ title: STRATEGY_TITLE });
      expect(environment('production')?.enabled).to.equal(true);
    });

    it('switches several environments, each once', async function () {
      const statuses = await control().enable(['development', 'production', 'development']);
      expect(statuses.map((status) => [status.environment, status.enabled, status.rollout])).to.deep.equal([
        ['development', true, 100],
        ['production', true, 100],
      ]);
      expect(writes().filter((request) => request.url.endsWith('/on'))).to.have.length(2);
    });

    it('with wait: returns once the client API serves the new state', async function () {
      fake.unleash.freezeClientApi();
      const publish = setTimeout(() => (fake.unleash.servedToClients = undefined), 400);
      const started = Date.now();
      try {
        await control().enable('production', { message: 'Deploying', wait: { clientTokens: [clientToken('production')], timeoutMs: 5_000 } });
      } finally {
        clearTimeout(publish);
      }
      expect(Date.now() - started).to.be.within(350, 5_000);
      expect(fake.unleash.servedToClients).to.equal(undefined);
    });

    it('schedules a window: both constraints and the payload are written, and status reads it back as scheduled', async function () {
      const from = new Date(Date.now() + 3_600_000);
      const until = new Date(from.getTime() + 1_800_000);
      const [production] = await control().enable('production', { from, until, notice: 900, rollout: 30 });
      expect(production).to.include({ state: 'scheduled', enabled: true, from: from.toISOString(), until: until.toISOString(), notice: 900, ended: false });
      expect(production).to.include({ rollout: 30, stickiness: 'remoteAddress' });
      const [strategy] = environment('production')!.strategies;
      expect(strategy?.constraints?.map(({ operator, value }) => [operator, value])).to.deep.equal([
        ['DATE_AFTER', from.toISOString()],
        ['DATE_BEFORE', until.toISOString()],
      ]);
      expect(JSON.parse(strategy!.variants![0]!.payload!.value)).to.deep.equal({ from: from.toISOString(), until: until.toISOString(), notice: 900 });
    });

    it('with wait and a start an hour ahead: returns once Unleash serves the window, not when it starts', async function () {
      fake.unleash.freezeClientApi();
      const publish = setTimeout(() => (fake.unleash.servedToClients = undefined), 300);
      const started = Date.now();
      try {
        const [status] = await control().enable('production', { from: '1h', wait: { clientTokens: [clientToken('production')], timeoutMs: 5_000 } });
        expect(status).to.include({ state: 'scheduled' });
      } finally {
        clearTimeout(publish);
      }
      expect(Date.now() - started).to.be.within(250, 5_000);
      // What the client API hands out now: the window, its DATE_AFTER constraint included.
      const response = await fetch(`${fake.server.url}/api/client/features?namePrefix=${FLAG}`, { headers: { authorization: clientToken('production') } });
      const { features } = (await response.json()) as { features: { enabled: boolean; strategies: AdminStrategy[] }[] };
      expect(features[0]?.enabled).to.equal(true);
      expect(features[0]?.strategies[0]?.constraints?.[0]).to.include({ contextName: 'currentTime', operator: 'DATE_AFTER' });
    });

    it('with wait: an older window still served is not taken for the new one', async function () {
      await control().enable('production', { from: '1h' });
      fake.unleash.freezeClientApi();
      const error = await failureOf(() => control().enable('production', { from: '2h', wait: { clientTokens: [clientToken('production')], timeoutMs: 300 } }));
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'not-served' });
    });

    it('with wait: fails as "not-served" when the client API never serves it', async function () {
      fake.unleash.freezeClientApi();
      const error = await failureOf(() => control().enable('production', { wait: { clientTokens: [clientToken('production')], timeoutMs: 300 } }));
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'not-served' });
      expect((error as Error).message).to.equal(`Unleash did not serve the new state of "${FLAG}" in "production" within 300 ms.`);
      expect(environment('production')?.enabled).to.equal(true); // written, just not served
    });

    it('with wait: refuses a client token for another environment before changing anything', async function () {
      const error = await failureOf(() => control().enable('production', { wait: { clientTokens: [clientToken('development')] } }));
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'not-served' });
      expect((error as Error).message).to.equal(
        'No client token serves "production", so the change cannot be confirmed there (the client tokens given serve "development").',
      );
      expect(writes()).to.deep.equal([]);
    });

    it('with wait: an unknown client token is "unauthorized", named as the client token', async function () {
      const error = await failureOf(() => control().enable('production', { wait: { clientTokens: ['not-a-token'] } }));
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'unauthorized', status: 401 });
      expect((error as Error).message).to.match(/^Unleash rejected the client token \(401 Unauthorized\)/);
      expect((error as Error).message).not.to.contain('not-a-token');
      expect(writes()).to.deep.equal([]);
    });
  });

  describe('disable', function () {
    it('switches the flag off and keeps its strategy and payload for next time', async function () {
      await control().enable(['development', 'production'], { message: 'Back soon', retryAfter: 60 });
      const [production] = await control().disable('production');
      expect(production).to.include({ environment: 'production', enabled: false, rollout: 100, message: 'Back soon', retryAfter: 60 });
      expect(environment('production')?.strategies).to.have.length(1);
      expect(environment('development')?.enabled).to.equal(true);
    });

    it('changes nothing for an environment already off, nor for a flag that does not exist', async function () {
      fake.unleash.addFeature(FLAG);
      await control().disable(['development', 'production']);
      await control({ flag: 'never-created' }).disable('production');
      expect(writes()).to.deep.equal([]);
      expect(fake.unleash.features.has('never-created')).to.equal(false);
    });

    it('with wait: returns once the client API serves "off"', async function () {
      fake.unleash.addFeature(FLAG, { production: { enabled: true } });
      const [status] = await control().disable('production', { wait: { clientTokens: [clientToken('production')], timeoutMs: 2_000 } });
      expect(status).to.include({ enabled: false });
    });
  });

  describe('scopes', function () {
    const titles = (name = 'production') => environment(name)!.strategies.map((strategy) => strategy.title);
    const checkout = { paths: ['/checkout'] };
    const cart = { paths: ['/cart'] };

    it('writes one strategy per scope beside the others, each with its own window and texts, and updates its own', async function () {
      await control().enable('production', { scope: checkout, until: '1h', area: 'Checkout', title: 'Checkout closed' });
      await control().enable('production', { scope: { ...cart, hosts: ['Shop.Example.com'] }, from: '2h', until: '3h' });
      await control().enable('production', { scope: { paths: ['/CHECKOUT/'] }, until: '2h', message: 'Longer' });
      expect(titles()).to.deep.equal([`${STRATEGY_TITLE}: /checkout`, `${STRATEGY_TITLE}: /cart on shop.example.com`]);
      const [first] = environment('production')!.strategies;
      expect(first!.constraints![0]).to.deep.equal({ contextName: 'routePath', operator: 'STR_STARTS_WITH', values: ['/checkout/'], inverted: false, caseInsensitive: true });
      const [status] = (await control().status('production')).environments;
      expect(status).to.include({ state: 'on', enabled: true });
      expect(status!.scopes.map((scope) => [scope.description, scope.state, scope.message, scope.area])).to.deep.equal([
        ['/checkout', 'on', 'Longer', null],
        ['/cart on shop.example.com', 'scheduled', null, null],
      ]);
      expect(status!.scopes[0]!.scope).to.deep.equal({ paths: ['/checkout'], hosts: [], properties: {} });
    });

    it('starts afresh while the flag is off: the scopes that ended with off are removed', async function () {
      await control().enable('production', { scope: checkout });
      await control().enable('production', { scope: cart });
      await control().enable('production');
      await control().disable('production');
      await control().enable('production', { scope: cart, message: 'Cart only' });
      expect(titles()).to.deep.equal([`${STRATEGY_TITLE}: /cart`]);
      expect(environment('production')?.enabled).to.equal(true);
    });

    it('takes over the only foreign strategy while off, never while on (that would narrow a maintenance)', async function () {
      fake.unleash.addFeature(FLAG, { production: { enabled: false, strategies: [{ name: 'flexibleRollout', title: null, parameters: { rollout: '100' } }] }, development: { enabled: true, strategies: [{ name: 'flexibleRollout', title: null, parameters: { rollout: '100' } }] } });
      await control().enable(['production', 'development'], { scope: checkout });
      expect(titles('production')).to.deep.equal([`${STRATEGY_TITLE}: /checkout`]);
      expect(titles('development')).to.deep.equal([null, `${STRATEGY_TITLE}: /checkout`]);
    });

    it('off of one scope removes only its strategy; off of the last switches the flag off, so nobody is left in maintenance', async function () {
      await control().enable('production', { scope: checkout });
      await control().enable('production', { scope: cart });
      const [afterCheckout] = await control().disable('production', { scope: { paths: ['/Checkout'] } });
      expect(titles()).to.deep.equal([`${STRATEGY_TITLE}: /cart`]);
      expect(afterCheckout).to.include({ enabled: true, state: 'on' });
      const [afterCart] = await control().disable('production', { scope: cart });
      expect(afterCart).to.include({ enabled: false, state: 'off' });
      expect(titles()).to.deep.equal([]);
    });

    it('off of a scope that is not on changes nothing; off of a scope beside the whole site keeps the whole site', async function () {
      await control().enable('production');
      await control().enable('production', { scope: checkout });
      const before = writes().length;
      await control().disable('production', { scope: cart });
      expect(writes()).to.have.length(before);
      await control().disable('production', { scope: checkout });
      expect(titles()).to.deep.equal([STRATEGY_TITLE]);
      expect(environment('production')?.enabled).to.equal(true);
    });

    it('with wait: off of one scope returns once the client API no longer serves its strategy', async function () {
      await control().enable('production', { scope: checkout });
      await control().enable('production', { scope: cart });
      fake.unleash.freezeClientApi();
      const publish = setTimeout(() => (fake.unleash.servedToClients = undefined), 400);
      const started = Date.now();
      try {
        await control().disable('production', { scope: checkout, wait: { clientTokens: [clientToken('production')], timeoutMs: 5_000 } });
      } finally {
        clearTimeout(publish);
      }
      expect(Date.now() - started).to.be.within(350, 5_000);
    });

    it('refuses a bad scope before any request', async function () {
      expect(await failureOf(() => control().enable('production', { scope: { paths: ['checkout'] } }))).to.be.instanceOf(ControlInputError).with.property('option', 'scope.paths[0]');
      expect(await failureOf(() => control().disable('production', { scope: { hosts: ['a:1'] } }))).to.be.instanceOf(ControlInputError).with.property('option', 'scope.hosts[0]');
      expect(fake.server.requests).to.deep.equal([]);
    });
  });

  describe('failures', function () {
    it('an unknown project is "unknown-project"', async function () {
      const error = await failureOf(() => control({ project: 'elsewhere' }).status());
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'unknown-project', status: 404 });
      expect((error as Error).message).to.equal('Unknown project "elsewhere" (404 Not Found): Unleash has no project with that id.');
    });

    it('an unknown environment is "unknown-environment", names the known ones and changes nothing', async function () {
      for (const call of [() => control().enable(['production', 'staging']), () => control().disable('staging'), () => control().status('staging')]) {
        const error = await failureOf(call);
        expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'unknown-environment', status: 404 });
        expect((error as Error).message).to.equal(
          'Unknown environment "staging" in project "default" (404 Not Found): the project\'s environments are "development", "production".',
        );
      }
      expect(writes()).to.deep.equal([]);
    });

    it('a project without environments says "none"', async function () {
      fake.unleash.environments = [];
      const error = await failureOf(() => control().enable('production'));
      expect((error as Error).message).to.match(/the project's environments are none\.$/);
    });

    it('401 and 403 tell the admin token apart from a backend token used by mistake', async function () {
      const unknown = await failureOf(() => control({ token: 'expired-token' }).enable('production'));
      expect(unknown).to.be.instanceOf(UnleashError).and.include({ kind: 'unauthorized', status: 401 });
      expect((unknown as Error).message).not.to.contain('expired-token');
      const backend = await failureOf(() => control({ token: clientToken('production') }).disable('production'));
      expect(backend).to.be.instanceOf(UnleashError).and.include({ kind: 'forbidden', status: 403 });
      expect((backend as Error).message).to.contain('backend (client) tokens cannot use the Admin API.');
      expect((backend as Error).message).not.to.contain(clientToken('production'));
    });

    it('409: a flag name taken by an archived flag is explained', async function () {
      fake.unleash.archived.add(FLAG);
      const error = await failureOf(() => control().enable('production'));
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'rejected', status: 409 });
      expect((error as Error).message).to.match(/^Cannot create the flag "site-maintenance" in project "default" \(409 Conflict\)\. .*Revive the archived flag/);
    });

    it('503 in Unleash\'s maintenance mode: writes fail saying so, status still reads', async function () {
      fake.unleash.addFeature(FLAG);
      fake.unleash.override = (request) => (request.method === 'GET' ? undefined : { status: 503, body: { message: UNLEASH_MAINTENANCE_MESSAGE } });
      const error = await failureOf(() => control().enable('production'));
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'unleash-maintenance', status: 503 });
      expect((error as Error).message).to.equal(
        `Unleash itself is in maintenance mode (set in its admin settings), so it refuses POST /api/admin/projects/default/features/${FLAG}/environments/production/strategies: it takes no changes until an admin turns that off.`,
      );
      expect((await control().status('production')).environments[0]).to.include({ enabled: false });
    });

    it('a flag Unleash accepts but does not return is "rejected"', async function () {
      fake.unleash.override = (request) => (request.method === 'GET' && request.url.includes('/features/') ? { status: 404, body: { message: 'gone' } } : undefined);
      const error = await failureOf(() => control().enable('production'));
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'rejected' });
      expect((error as Error).message).to.equal(`Unleash accepted the new flag "${FLAG}" but does not return it.`);
    });

    it('a refused connection is "unreachable" and shows the URL without the token', async function () {
      const url = await refusedUrl();
      const error = await failureOf(() => control({ url: `${url}/api` }).enable('production'));
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'unreachable' });
      expect((error as Error).message).to.equal(`Cannot reach Unleash at ${url}: connection refused`);
    });

    it('no answer within requestTimeoutMs is "unreachable"', async function () {
      fake.unleash.override = () => 'hang';
      const started = Date.now();
      const error = await failureOf(() => control({ requestTimeoutMs: 200 }).status());
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'unreachable' });
      expect((error as Error).message).to.equal(`Cannot reach Unleash at ${fake.server.url}: no answer within 200 ms`);
      expect(Date.now() - started).to.be.within(150, 2_000);
    });
  });
});
