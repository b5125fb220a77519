import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../dev/unleash/index.js';
import { startApp, type RunningApp } from '../support/open-app.js';
import { createTestClient, waitUntilSynchronized, type TestClient } from '../support/server-client.js';
import { useSharedFlag } from '../support/flag-app.js';
import { uniqueFlagName } from '../support/flags.js';
import { timeUntilStatus } from '../support/flip-timer.js';
import { httpGet } from '../support/http.js';
import { SERVER_START_TIMEOUT_MS, sharedUnleash, skipOnExistingServer } from '../support/shared-unleash.js';

/** After a restart the client may still be between polls; give it a little longer than a toggle. */
const RECOVERY_BUDGET_MS = 5_000;
const APP_NAME = 'outage-app';

/** unleash-client writes its backup after updating memory; wait until the flag is on disk. */
async function waitForBackupOf(backupDir: string, flag: string): Promise<void> {
  const file = join(backupDir, `unleash-backup-${APP_NAME}.json`);
  await waitFor(
    async () => {
      const backup = JSON.parse(await readFile(file, 'utf8')) as { features: { name: string; enabled: boolean }[] };
      return backup.features.some((feature) => feature.name === flag && feature.enabled) ? true : undefined;
    },
    { description: `${flag} in ${file}`, timeoutMs: 2_000 },
  );
}

describe('integration: Unleash outages', function () {
  this.timeout(SERVER_START_TIMEOUT_MS);
  const flag = uniqueFlagName('outage');
  const clients: TestClient[] = [];
  const apps: RunningApp[] = [];
  let backupDir: string | undefined;
  before(async function () {
    skipOnExistingServer(this, await sharedUnleash(), 'these tests stop and restart the server');
  });
  const fixture = useSharedFlag({
    flag,
    async setUp(stack) {
      await stack.admin.createFlag(flag);
      await stack.admin.setEnabled(flag, 'production', true);
    },
  });

  async function appWith({ backupPath, synchronize }: { backupPath?: string; synchronize: boolean }) {
    const { stack } = fixture;
    const client = createTestClient({ url: stack.url, token: stack.tokens.production, appName: APP_NAME, backupPath });
    clients.push(client);
    if (synchronize) await waitUntilSynchronized(client);
    const app = await startApp({ unleash: client.unleash, flagName: flag });
    apps.push(app);
    return { client, app };
  }

  async function closeAll() {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    clients.splice(0).forEach((client) => client.destroy());
  }

  afterEach(async function () {
    await closeAll();
    await fixture.stack.startServer(); // whatever happened, leave Unleash up for the next test
  });

  after(async function () {
    if (backupDir) await rm(backupDir, { recursive: true, force: true });
  });

  it('keeps answering 503 while Unleash is down, logs the errors, and picks up the next toggle after a restart', async function () {
    const { stack } = fixture;
    const { client, app } = await appWith({ synchronize: true });
    expect((await httpGet(app.url)).status).to.equal(503);

    await stack.stopServer();
    const errorsBefore = client.errors.length;
    const statusesDuringOutage: number[] = [];
    await waitFor(
      async () => {
        statusesDuringOutage.push((await httpGet(app.url)).status);
        return client.errors.length > errorsBefore ? true : undefined;
      },
      // unleash-client retries a failed fetch twice (1 s, then 2 s) before it reports an error.
      { description: 'the client to report a failed poll', timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(new Set(statusesDuringOutage), 'answers while Unleash is down').to.deep.equal(new Set([503]));
    console.log(
      `      outage: ${statusesDuringOutage.length} requests answered 503; client logged "${client.errors.at(-1)?.message}"`,
    );

    await stack.startServer();
    const since = Date.now();
    await stack.admin.setEnabled(flag, 'production', false);
    const recoveredMs = await timeUntilStatus(app.url, 200, since, RECOVERY_BUDGET_MS);
    console.log(`      after restart: toggle off reached the app in ${recoveredMs} ms`);
    await stack.admin.setEnabled(flag, 'production', true);
  });

  it('comes up in maintenance when the app restarts during an outage with a persistent backupPath', async function () {
    const { stack } = fixture;
    backupDir = await mkdtemp(join(tmpdir(), 'unleash-backup-'));
    const previous = await appWith({ backupPath: backupDir, synchronize: true });
    await timeUntilStatus(previous.app.url, 503, Date.now());
    await waitForBackupOf(backupDir, flag);
    await closeAll(); // the app "restarts": its client goes, the backup file stays

    await stack.stopServer();
    const { client, app } = await appWith({ backupPath: backupDir, synchronize: false });
    const readyMs = await timeUntilStatus(app.url, 503, Date.now());
    console.log(`      restarted app served 503 from its backup after ${readyMs} ms (${client.errors.length} fetch errors so far)`);
    expect(client.unleash.isSynchronized(), 'the state came from the backup, not the server').to.equal(false);
  });
});
