import { expect } from 'chai';
import { findFreePort, type UnleashStack } from '../../dev/unleash/index.js';
import { ControlInputError, MaintenanceControl, UnleashError } from '../../src/control/index.js';
import { STRATEGY_TITLE } from '../../src/control/strategy.js';
import { readFeature, servedFeature } from '../support/admin-reader.js';
import { runCliProcess, type CliResult } from '../support/cli-process.js';
import { startWatchedApp, type WatchedApp } from '../support/watched-app.js';
import { uniqueFlagName } from '../support/flags.js';
import { startTestUnleash } from '../support/shared-unleash.js';

const SERVER_START_TIMEOUT_MS = 120_000;

describe('integration: the unleash-maintenance command against a real Unleash', function () {
  this.timeout(20_000);
  let stack: UnleashStack;

  before(async function () {
    this.timeout(SERVER_START_TIMEOUT_MS);
    stack = await startTestUnleash();
  });

  after(async function () {
    this.timeout(30_000);
    await stack?.stop();
  });

  const adminEnv = () => ({ UNLEASH_URL: stack.url, UNLEASH_ADMIN_TOKEN: stack.tokens.admin });
  const cli = (args: string[], env: Record<string, string> = adminEnv()) => runCliProcess(args, env);
  const secrets = () => Object.values(stack.tokens);
  const control = (flag: string) => new MaintenanceControl({ url: stack.url, token: stack.tokens.admin, flag });

  function expectNoToken(result: CliResult): void {
    for (const secret of [...secrets(), 'wrong-token-for-this-test']) {
      expect(result.stdout + result.stderr).not.to.contain(secret);
    }
  }

  function expectExit(result: CliResult, code: number, stderr?: RegExp): void {
    const shown = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
    expect(result.code, shown).to.equal(code);
    if (stderr) expect(result.stderr, shown).to.match(stderr);
    expectNoToken(result);
  }

  describe('help and usage', function () {
    it('prints help for the command and each subcommand and exits 0', async function () {
      const [main, on, off, status] = await Promise.all([
        cli(['--help'], {}),
        cli(['on', '--help'], {}),
        cli(['help', 'off'], {}),
        cli(['status', '-h'], {}),
      ]);
      for (const result of [main, on, off, status]) expectExit(result, 0);
      expect(main!.stdout).to.match(/^Usage: unleash-maintenance <on\|off\|status>/);
      expect(on!.stdout).to.match(/^Usage: unleash-maintenance on --environment/).and.to.contain('--until').and.to.contain('--client-token');
      expect(off!.stdout).to.match(/^Usage: unleash-maintenance off --environment/).and.not.to.contain('--rollout');
      expect(status!.stdout).to.match(/^Usage: unleash-maintenance status/).and.not.to.contain('--wait');
    });

    it('exits 2 on a usage error, says what is wrong, and never echoes the token', async function () {
      const [noEnvironment, unknownOption, badRollout, noCommand] = await Promise.all([
        cli(['on', '--token', stack.tokens.admin, '--url', stack.url]),
        cli(['status', `--token=${stack.tokens.admin}`, '--colour']),
        cli(['on', '-e', 'production', '--rollout', '150']),
        cli([]),
      ]);
      expectExit(noEnvironment!, 2, /unleash-maintenance: --environment is required for "on"/);
      expectExit(unknownOption!, 2, /unknown option '--colour'/);
      expectExit(badRollout!, 2, /--rollout must be a whole percentage from 0 to 100, got 150\nRun "unleash-maintenance on --help" for usage\./);
      expectExit(noCommand!, 2, /a command is required: on, off or status/);
    });
  });

  describe('on, off and status', function () {
    const flag = uniqueFlagName('cli');
    const message = 'Moving to a bigger database, back in ten minutes.';
    let app: WatchedApp;

    before(async function () {
      app = await startWatchedApp(stack.url, stack.tokens.production, flag);
    });

    after(async function () {
      await app?.close();
    });

    it('status of a flag that does not exist yet says maintenance is off everywhere', async function () {
      const result = await cli(['status', '--flag', flag]);
      expectExit(result, 0);
      expect(result.stdout).to.contain(`Flag "${flag}" does not exist in project "default": maintenance is off everywhere.`);
      expect(result.stdout).to.match(/development\s+off\n/).and.to.match(/production\s+off\n/);
    });

    it('on creates the kill-switch flag, writes the payload the middleware reads, and the app answers 503 with it', async function () {
      const result = await cli(['on', '-e', 'production', '--flag', flag, '--title', 'Upgrade', '--message', message, '--retry-after', '120']);
      expectExit(result, 0);
      expect(result.stdout).to.contain(`Maintenance on for flag "${flag}" in project "default":`);
      // At 100 % stickiness decides nothing; default keeps requests whose address is unknown in maintenance.
      expect(result.stdout).to.match(/production\s+on\s+100% \(stickiness default\)\s+retry after 120 s/);

      const feature = await readFeature(stack.url, stack.tokens.admin, flag);
      expect(feature?.type).to.equal('kill-switch');
      const production = feature?.environments.find((environment) => environment.name === 'production');
      expect(production?.enabled).to.equal(true);
      expect(production?.strategies).to.have.length(1);
      expect(feature?.environments.find((environment) => environment.name === 'development')?.enabled).to.equal(false);

      const answer = await app.waitForStatus(503);
      expect(answer.headers['retry-after']).to.equal('120');
      expect(JSON.parse(answer.body)).to.include({ title: 'Upgrade', detail: message, retryAfter: 120 });
    });

    it('on again updates the same strategy (rollout, stickiness) instead of adding one', async function () {
      expectExit(await cli(['on', '-e', 'production', '--flag', flag, '--rollout', '30', '--stickiness', 'userId', '--message', message]), 0);
      await control(flag).enable('production', { rollout: 30, stickiness: 'userId', message });
      const production = (await readFeature(stack.url, stack.tokens.admin, flag))?.environments.find((environment) => environment.name === 'production');
      expect(production?.strategies).to.have.length(1);
      expect(production?.strategies?.[0]).to.deep.include({ title: STRATEGY_TITLE, name: 'flexibleRollout' });
      expect(production?.strategies?.[0]?.parameters).to.include({ rollout: '30', stickiness: 'userId', groupId: flag });
    });

    it('status --json reports every environment of the project', async function () {
      const result = await cli(['status', '--flag', flag, '--json']);
      expectExit(result, 0);
      const status = JSON.parse(result.stdout);
      expect(status).to.include({ project: 'default', flag, exists: true });
      expect(status.environments.map((environment: { environment: string }) => environment.environment)).to.deep.equal(['development', 'production']);
      expect(status.environments[0]).to.include({ environment: 'development', enabled: false });
      const window = {
        rollout: 30,
        stickiness: 'userId',
        title: null,
        message,
        area: null,
        retryAfter: null,
        until: null,
        ended: false,
        from: null,
        notice: null,
        mode: null,
        maxPause: null,
        state: 'on',
      };
      expect(status.environments[1]).to.deep.equal({
        environment: 'production',
        enabled: true,
        ...window,
        scopes: [{ scope: null, description: 'the whole site', ...window }],
      });
    });

    it('status -e shows only the environments asked for, in human form', async function () {
      const result = await cli(['status', '--flag', flag, '-e', 'production']);
      expectExit(result, 0);
      expect(result.stdout).to.equal(
        `Flag "${flag}" in project "default":\n  production  on  30% (stickiness userId)  message ${JSON.stringify(message)}\n`,
      );
    });

    it('off switches the flag off and keeps its strategy; off again changes nothing', async function () {
      const first = await cli(['off', '-e', 'production', '--flag', flag]);
      expectExit(first, 0);
      expect(first.stdout).to.match(/production\s+off\s+\(stored for next time: 30% \(stickiness userId\)/);
      await app.waitForStatus(200);
      await control(flag).disable('production');

      const production = (await readFeature(stack.url, stack.tokens.admin, flag))?.environments.find((environment) => environment.name === 'production');
      expect(production?.enabled).to.equal(false);
      expect(production?.strategies).to.have.length(1);
      expect(production?.strategies?.[0]?.variants?.[0]?.payload?.value).to.contain(message);
    });

    it('switches several environments with a repeated --environment', async function () {
      expectExit(await cli(['on', '-e', 'development', '--environment', 'production', '--flag', flag]), 0);
      const feature = await readFeature(stack.url, stack.tokens.admin, flag);
      expect(feature?.environments.map((environment) => [environment.name, environment.enabled])).to.deep.equal([
        ['development', true],
        ['production', true],
      ]);
      await control(flag).disable(['development', 'production']);
      await app.waitForStatus(200);
    });
  });

  describe('--until', function () {
    const flag = uniqueFlagName('cli-until');
    let app: WatchedApp;

    before(async function () {
      app = await startWatchedApp(stack.url, stack.tokens.production, flag);
    });

    after(async function () {
      await app?.close();
    });

    it('ends maintenance by itself: the app answers 200 again at that time without "off"', async function () {
      const until = new Date(Date.now() + 4_000);
      const result = await cli(['on', '-e', 'production', '--flag', flag, '--until', until.toISOString(), '--message', 'Short break']);
      expectExit(result, 0);
      expect(result.stdout).to.contain(`until ${until.toISOString()}`);

      const during = await app.waitForStatus(503);
      expect(JSON.parse(during.body)).to.include({ detail: 'Short break' });
      const strategy = (await readFeature(stack.url, stack.tokens.admin, flag))?.environments.find((environment) => environment.name === 'production')?.strategies?.[0];
      expect(strategy?.constraints).to.deep.equal([
        { contextName: 'currentTime', operator: 'DATE_BEFORE', value: until.toISOString(), values: [], inverted: false, caseInsensitive: false },
      ]);

      await app.waitForStatus(200, until.getTime() - Date.now() + 3_000);
      expect(Date.now()).to.be.at.least(until.getTime());

      const status = await cli(['status', '--flag', flag, '-e', 'production', '--json']);
      expect(JSON.parse(status.stdout).environments[0]).to.include({ enabled: true, ended: true, until: until.toISOString() });
    });
  });

  describe('scheduled windows: --from, --notice', function () {
    const flag = uniqueFlagName('cli-window');
    let app: WatchedApp;

    before(async function () {
      app = await startWatchedApp(stack.url, stack.tokens.production, flag);
    });

    after(async function () {
      await app?.close();
    });

    it('writes DATE_AFTER and DATE_BEFORE and the payload; status says scheduled; the app still answers 200', async function () {
      const result = await cli(['on', '-e', 'production', '--flag', flag, '--from', '1h', '--until', '2h', '--notice', '30m', '--title', 'Upgrade', '--json']);
      expectExit(result, 0);
      const [production] = JSON.parse(result.stdout).environments;
      expect(production).to.include({ state: 'scheduled', notice: 1800, enabled: true, stickiness: 'default' });
      const from = Date.parse(production.from);
      const until = Date.parse(production.until);
      expect(from - Date.now()).to.be.within(59 * 60_000, 60 * 60_000);
      expect(until - from).to.equal(60 * 60_000);

      const strategy = (await readFeature(stack.url, stack.tokens.admin, flag))?.environments.find((environment) => environment.name === 'production')?.strategies?.[0];
      expect(strategy?.constraints?.map(({ operator, value }) => [operator, value])).to.deep.equal([
        ['DATE_AFTER', production.from],
        ['DATE_BEFORE', production.until],
      ]);
      expect(JSON.parse(strategy?.variants?.[0]?.payload?.value ?? '{}')).to.deep.equal({ title: 'Upgrade', until: production.until, from: production.from, notice: 1800 });

      const status = await cli(['status', '--flag', flag, '-e', 'production']);
      const announced = new Date(from - 30 * 60_000).toISOString();
      expect(status.stdout).to.contain(`scheduled (starts at ${production.from}, in 1 h; announced from ${announced})  100% (stickiness default)  until ${production.until}`);
      expect((await app.waitForStatus(200)).status).to.equal(200);
    });

    it('--wait with a future --from returns once Unleash serves the window, not when it starts', async function () {
      const env = { ...adminEnv(), UNLEASH_API_TOKEN: stack.tokens.production };
      const started = Date.now();
      const result = await cli(['on', '-e', 'production', '--flag', flag, '--from', '2h', '--wait', '--timeout', '10'], env);
      expectExit(result, 0);
      expect(result.stdout).to.contain('Unleash serves the change to SDKs now.');
      expect(Date.now() - started).to.be.below(10_000);
    });

    it('refuses a start at or after the end, a past end, unparseable times and --notice without --from: exit 2, nothing written', async function () {
      const untouched = uniqueFlagName('cli-refused');
      const runs = await Promise.all([
        cli(['on', '-e', 'production', '--flag', untouched, '--from', '2h', '--until', '1h']),
        cli(['on', '-e', 'production', '--flag', untouched, '--from', '1h', '--until', '1h']),
        cli(['on', '-e', 'production', '--flag', untouched, '--until', '2020-01-01T00:00:00Z']),
        cli(['on', '-e', 'production', '--flag', untouched, '--from', 'tonight']),
        cli(['on', '-e', 'production', '--flag', untouched, '--notice', '1h']),
        cli(['on', '-e', 'production', '--flag', untouched, '--from', '1h', '--notice', '1w']),
      ]);
      expectExit(runs[0]!, 2, /--from must lie before until/);
      expectExit(runs[1]!, 2, /--from must lie before until/);
      expectExit(runs[2]!, 2, /--until must lie in the future/);
      expectExit(runs[3]!, 2, /--from must be an ISO 8601 time/);
      expectExit(runs[4]!, 2, /--notice only applies with --from\n/);
      expectExit(runs[5]!, 2, /--notice must be a duration such as 30m, 24h or 7d, or a number of whole seconds, got "1w"/);
      expect(await readFeature(stack.url, stack.tokens.admin, untouched)).to.equal(undefined);
    });

    it('writes stickiness remoteAddress for a rollout without --stickiness', async function () {
      const rollout = uniqueFlagName('cli-rollout');
      expectExit(await cli(['on', '-e', 'production', '--flag', rollout, '--rollout', '30']), 0);
      const strategy = (await readFeature(stack.url, stack.tokens.admin, rollout))?.environments.find((environment) => environment.name === 'production')?.strategies?.[0];
      expect(strategy?.parameters).to.include({ rollout: '30', stickiness: 'remoteAddress' });
    });
  });

  describe("Unleash's own maintenance mode", function () {
    const flag = uniqueFlagName('cli-unleash-down');
    // Unleash memoizes this setting for a minute and clears the memo *before* it stores a new value, so a
    // read in between caches the old value again. Sent twice, the second clear comes after the value is stored.
    const setUnleashMaintenance = async (enabled: boolean) => {
      for (let time = 0; time < 2; time++) {
        const response = await fetch(`${stack.url}/api/admin/maintenance`, {
          method: 'POST',
          headers: { authorization: stack.tokens.admin, 'content-type': 'application/json' },
          body: JSON.stringify({ enabled }),
          signal: AbortSignal.timeout(5_000),
        });
        expect(response.status, await response.text()).to.be.within(200, 299);
      }
    };

    after(async function () {
      await setUnleashMaintenance(false);
    });

    it('on says that Unleash itself is in maintenance mode and exits 1; status still reads; nothing is written', async function () {
      await setUnleashMaintenance(true);
      try {
        const on = await cli(['on', '-e', 'production', '--flag', flag]);
        expectExit(on, 1, /^unleash-maintenance: Unleash itself is in maintenance mode \(set in its admin settings\), so it refuses POST \S+: it takes no changes until an admin turns that off\.\n$/);
        expectExit(await cli(['status', '--flag', flag, '-e', 'production']), 0);
        expect(await readFeature(stack.url, stack.tokens.admin, flag)).to.equal(undefined);
      } finally {
        await setUnleashMaintenance(false);
      }
      expectExit(await cli(['on', '-e', 'production', '--flag', flag]), 0);
    });
  });

  describe('--wait', function () {
    const flag = uniqueFlagName('cli-wait');

    it('runs the deploy recipe: on --message --until 30m --wait, then off --wait, each returning once Unleash serves it', async function () {
      const env = { ...adminEnv(), UNLEASH_API_TOKEN: stack.tokens.production };
      const before = Date.now();
      const on = await cli(['on', '-e', 'production', '--flag', flag, '--message', 'Deploying', '--until', '30m', '--wait', '--timeout', '10'], env);
      expectExit(on, 0);
      expect(on.stdout).to.contain('Unleash serves the change to SDKs now.');
      const served = await servedFeature(stack.url, stack.tokens.production, flag);
      expect(served?.enabled).to.equal(true);
      const until = Date.parse(JSON.parse(JSON.stringify(served?.strategies?.[0])).constraints[0].value);
      expect(until - before).to.be.within(30 * 60_000 - 1_000, 30 * 60_000 + 20_000);

      const off = await cli(['off', '-e', 'production', '--flag', flag, '--wait', '--json'], env);
      expectExit(off, 0);
      expect(JSON.parse(off.stdout)).to.include({ served: true });
      expect((await servedFeature(stack.url, stack.tokens.production, flag))?.enabled).to.equal(false);
    });

    it('refuses a client token serving another environment before changing anything (exit 1)', async function () {
      const result = await cli(['on', '-e', 'production', '--flag', flag, '--wait', '--client-token', stack.tokens.development]);
      expectExit(result, 1, /No client token serves "production", so the change cannot be confirmed there \(the client tokens given serve "development"\)\./);
      const production = (await readFeature(stack.url, stack.tokens.admin, flag))?.environments.find((environment) => environment.name === 'production');
      expect(production?.enabled).to.equal(false);
    });

    it('exits 2 when --wait has no client token', async function () {
      expectExit(await cli(['off', '-e', 'production', '--wait']), 2, /--wait needs a backend \(client\) token: pass --client-token or set UNLEASH_API_TOKEN/);
    });
  });

  describe('failures exit 1 and say which', function () {
    // Independent processes: started together to keep the file fast, checked one by one.
    let results: Record<'refused' | 'unauthorized' | 'forbidden' | 'project' | 'environment' | 'baseStatus' | 'baseOn', CliResult>;
    let refusedUrl: string;

    before(async function () {
      refusedUrl = `http://127.0.0.1:${await findFreePort()}`;
      const wrongBase = `${stack.url}/unleash`; // Unleash is served at the root: its UI answers this path with HTML
      const [refused, unauthorized, forbidden, project, environment, baseStatus, baseOn] = await Promise.all([
        cli(['status'], { UNLEASH_URL: refusedUrl, UNLEASH_ADMIN_TOKEN: stack.tokens.admin }),
        cli(['on', '-e', 'production', '--url', stack.url, '--token', 'wrong-token-for-this-test']),
        cli(['off', '-e', 'production'], { UNLEASH_URL: stack.url, UNLEASH_ADMIN_TOKEN: stack.tokens.production }),
        cli(['on', '-e', 'production', '--project', 'no-such-project']),
        cli(['on', '-e', 'staging', '--flag', uniqueFlagName('cli-env')]),
        cli(['status', '--url', wrongBase]),
        cli(['on', '-e', 'development', '--url', wrongBase, '--flag', uniqueFlagName('cli-base')]),
      ]);
      results = {
        refused: refused!,
        unauthorized: unauthorized!,
        forbidden: forbidden!,
        project: project!,
        environment: environment!,
        baseStatus: baseStatus!,
        baseOn: baseOn!,
      };
    });

    it('connection refused', function () {
      expectExit(results.refused, 1, new RegExp(`^unleash-maintenance: Cannot reach Unleash at ${refusedUrl}: connection refused\\n$`));
    });

    it('401: a token Unleash does not know', function () {
      expectExit(results.unauthorized, 1, /^unleash-maintenance: Unleash rejected the admin token \(401 Unauthorized\): it is unknown, expired or malformed\./);
    });

    it('403: a backend (client) token on the Admin API', function () {
      expectExit(
        results.forbidden,
        1,
        /^unleash-maintenance: The admin token lacks the rights for GET \/api\/admin\/projects\/default\/overview \(403 Forbidden\)\..*backend \(client\) tokens cannot use the Admin API\./,
      );
    });

    it('404: an unknown project', function () {
      expectExit(results.project, 1, /^unleash-maintenance: Unknown project "no-such-project" \(404 Not Found\)/);
    });

    it('404: an unknown environment, naming the ones the project has', function () {
      expectExit(
        results.environment,
        1,
        /^unleash-maintenance: Unknown environment "staging" in project "default" \(404 Not Found\): the project's environments are "development", "production"\./,
      );
    });

    it('a URL under which Unleash answers its UI, not its API: names the URL and the base URL to use', function () {
      const root = stack.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      for (const result of [results.baseStatus, results.baseOn]) {
        expectExit(
          result,
          1,
          new RegExp(`^unleash-maintenance: Not an answer from Unleash's API: GET ${root}/unleash/api/admin/projects/default/overview answered 200 with text/html, not JSON .*Unleash answers at the server root: use ${root} \\(or ${root}/api\\) as the URL\\.\\n$`),
        );
      }
      expect(results.baseStatus.stdout).to.equal('');
    });
  });

  describe('MaintenanceControl used directly', function () {
    const control = () => new MaintenanceControl({ url: `${stack.url}/api/`, token: stack.tokens.admin, flag });
    const flag = uniqueFlagName('control');

    it('enables with a Date until and waits, reads it back with status(), disables and waits', async function () {
      const until = new Date(Date.now() + 3_600_000);
      const wait = { clientTokens: [stack.tokens.development, stack.tokens.production], timeoutMs: 10_000 };
      const enabled = await control().enable(['development', 'production'], { until, retryAfter: 60, wait });
      expect(enabled.map((status) => [status.environment, status.enabled, status.until])).to.deep.equal([
        ['development', true, until.toISOString()],
        ['production', true, until.toISOString()],
      ]);
      expect((await servedFeature(stack.url, stack.tokens.development, flag))?.enabled).to.equal(true);

      const status = await control().status('production');
      expect(status).to.deep.include({ project: 'default', flag, exists: true });
      expect(status.environments).to.have.length(1);
      expect(status.environments[0]).to.include({ retryAfter: 60, rollout: 100 });

      const disabled = await control().disable(['development', 'production'], { wait });
      expect(disabled.every((environment) => !environment.enabled)).to.equal(true);
      expect((await servedFeature(stack.url, stack.tokens.production, flag))?.enabled).to.equal(false);
    });

    it('takes over the strategy Unleash added when the flag was switched on in the UI', async function () {
      const uiFlag = uniqueFlagName('control-ui');
      await stack.admin.createFlag(uiFlag);
      await stack.admin.setEnabled(uiFlag, 'development', true);
      await new MaintenanceControl({ url: stack.url, token: stack.tokens.admin, flag: uiFlag }).enable('development', { message: 'Now with a message' });
      const development = (await readFeature(stack.url, stack.tokens.admin, uiFlag))?.environments.find((environment) => environment.name === 'development');
      expect(development?.strategies).to.have.length(1);
      expect(development?.strategies?.[0]).to.include({ title: STRATEGY_TITLE });
    });

    it('explains why a flag name is taken when it cannot create the flag (an archived flag)', async function () {
      const archived = uniqueFlagName('control-archived');
      await stack.admin.createFlag(archived);
      const response = await fetch(`${stack.url}/api/admin/projects/default/features/${archived}`, {
        method: 'DELETE',
        headers: { authorization: stack.tokens.admin },
      });
      expect(response.status).to.equal(202);
      await expectRejection(
        new MaintenanceControl({ url: stack.url, token: stack.tokens.admin, flag: archived }).enable('production'),
        UnleashError,
        new RegExp(`^Cannot create the flag "${archived}" in project "default" \\(409 Conflict\\)\\. Unleash says: An archived flag with that name already exists\\.`),
      );
    });

    it('rejects unusable input before sending anything', async function () {
      const offline = new MaintenanceControl({ url: 'http://127.0.0.1:1', token: 'irrelevant' });
      await expectRejection(offline.enable('production', { rollout: 101 }), ControlInputError, /rollout must be a whole percentage/);
      await expectRejection(offline.enable([], {}), ControlInputError, /environment must name at least one environment/);
      expect(() => new MaintenanceControl({ url: 'unleash.example.com', token: 't' })).to.throw(ControlInputError, /url must be an absolute http\(s\) URL/);
    });

    it('classifies failures with a kind a script can branch on', async function () {
      const outsider = new MaintenanceControl({ url: stack.url, token: stack.tokens.admin, project: 'elsewhere' });
      const error = await outsider.status().catch((failure: unknown) => failure);
      expect(error).to.be.instanceOf(UnleashError).and.to.include({ kind: 'unknown-project', status: 404 });
    });
  });
});

async function expectRejection(promise: Promise<unknown>, type: new (...args: never[]) => Error, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).to.be.instanceOf(type);
  expect((error as Error).message).to.match(message);
}
