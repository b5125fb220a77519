// A URL that is not Unleash's base URL: Unleash's UI answers its index.html (200, text/html) to every
// path it does not know, Admin API paths under a wrong base included. Against a FAKE Unleash
// (support/fake-unleash.ts); test/integration/cli.test.ts checks the real server.
import { expect } from 'chai';
import { UnleashError } from '../../src/control/errors.js';
import { sendJson, type HttpTarget } from '../../src/control/http.js';
import { MaintenanceControl } from '../../src/control/index.js';
import { failureOf, type FakeServer, startFakeServer } from '../support/fake-unleash.js';

const INDEX_HTML = '<!doctype html><html><head><title>Unleash</title></head><body><div id="app"></div></body></html>';

describe('control: a base URL that is not Unleash API', function () {
  let server: FakeServer;
  const target = (baseUrl: string): HttpTarget => ({ baseUrl, token: '*:*.secret', tokenRole: 'admin token', timeoutMs: 2_000 });

  /** Unleash served under `base` ('' for the root): JSON health there, the UI's HTML everywhere else. */
  function serveUnleashAt(base: string): void {
    server.route((request) => (request.url === `${base}/health` ? { status: 200, body: { health: 'GOOD' } } : { status: 200, text: INDEX_HTML }));
  }

  before(async function () {
    server = await startFakeServer();
  });

  after(async function () {
    await server.close();
  });

  it('names the request and suggests the server root when Unleash answers there', async function () {
    serveUnleashAt('');
    const error = await failureOf(() => sendJson(target(`${server.url}/unleash`), 'GET', '/api/admin/projects/default/overview'));
    expect(error).to.be.instanceOf(UnleashError).and.to.include({ kind: 'not-unleash-api', status: 200 });
    expect((error as Error).message).to.equal(
      `Not an answer from Unleash's API: GET ${server.url}/unleash/api/admin/projects/default/overview answered 200 with text/plain, not JSON ` +
        `(Unleash's UI answers any unknown path so). Unleash answers at the server root: use ${server.url} (or ${server.url}/api) as the URL.`,
    );
  });

  it('suggests …/api under the path Unleash is served at', async function () {
    serveUnleashAt('/unleash');
    const error = await failureOf(() => sendJson(target(`${server.url}/unleash/projects/default`), 'GET', '/api/admin/projects/default/overview'));
    expect((error as Error).message).to.match(new RegExp(`Unleash answers at ${server.url}/unleash: use ${server.url}/unleash/api as the URL\\.$`));
  });

  it('says what to give when no Unleash is found on the way to the root', async function () {
    server.route(() => ({ status: 200, text: INDEX_HTML }));
    const error = await failureOf(() => sendJson(target(`${server.url}/a/b`), 'GET', '/api/client/features'));
    expect(error).to.be.instanceOf(UnleashError).and.to.include({ kind: 'not-unleash-api' });
    expect((error as Error).message).to.match(/Check the URL: use Unleash's base URL, the server root or the path Unleash is served under \(with or without \/api\)\.$/);
  });

  it('still takes an empty success (on/off) and JSON arrays, and leaves error statuses to expectStatus', async function () {
    server.route((request) => {
      if (request.method === 'POST') return { status: 200 };
      return request.url.endsWith('/strategies') ? { status: 200, body: [] } : { status: 404, text: 'Not Found' };
    });
    expect((await sendJson(target(server.url), 'POST', '/api/admin/x/on')).status).to.equal(200);
    expect((await sendJson(target(server.url), 'GET', '/x/strategies')).body).to.deep.equal([]);
    expect((await sendJson(target(server.url), 'GET', '/missing')).status).to.equal(404);
  });

  it('makes status() and enable() fail instead of reporting a flag with no environments or an unknown environment', async function () {
    serveUnleashAt('');
    const control = new MaintenanceControl({ url: `${server.url}/unleash`, token: '*:*.secret', flag: 'maintenance-mode' });
    for (const attempt of [() => control.status(), () => control.enable('development')]) {
      const error = await failureOf(attempt);
      expect(error).to.be.instanceOf(UnleashError).and.to.include({ kind: 'not-unleash-api' });
    }
  });
});
