// Runs the real command as a child process against a FAKE Unleash (test/support/fake-unleash.ts): a node:http
// server on 127.0.0.1 that answers writes as unleash-server does while its own maintenance mode is on.
import { expect } from 'chai';
import { runCliProcess } from '../support/cli-process.js';
import { ADMIN_TOKEN, createFakeUnleashModel, startFakeServer, UNLEASH_MAINTENANCE_MESSAGE, type FakeServer } from '../support/fake-unleash.js';

describe('cli: Unleash in its own maintenance mode', function () {
  this.timeout(30_000);
  let server: FakeServer;

  before(async function () {
    server = await startFakeServer();
    const unleash = createFakeUnleashModel();
    unleash.addFeature('maintenance-mode');
    unleash.override = (request) => (request.method === 'GET' ? undefined : { status: 503, body: { message: UNLEASH_MAINTENANCE_MESSAGE } });
    server.route(unleash.route);
  });

  after(async function () {
    await server.close();
  });

  it('says exactly that Unleash itself is in maintenance mode, and exits 1', async function () {
    const result = await runCliProcess(['on', '-e', 'production'], { UNLEASH_URL: server.url, UNLEASH_ADMIN_TOKEN: ADMIN_TOKEN });
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stderr).to.match(/^unleash-maintenance: Unleash itself is in maintenance mode \(set in its admin settings\), so it refuses POST \S+: it takes no changes until an admin turns that off\.\n$/);
    expect(result.stderr + result.stdout).not.to.contain(ADMIN_TOKEN);
  });
});
