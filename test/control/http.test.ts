// Runs against a FAKE Unleash: a real node:http server on 127.0.0.1 (support/fake-unleash.ts)
// that plays the answers under test. No Postgres, no unleash-server; the real server is
// covered by test/integration/cli.test.ts.
import { expect } from 'chai';
import { UnleashError } from '../../src/control/errors.js';
import { expectStatus, sendJson, unleashSays, type HttpAnswer, type HttpTarget } from '../../src/control/http.js';
import {
  failureOf,
  type FakeServer,
  refusedUrl,
  startFakeServer,
  UNLEASH_MAINTENANCE_MESSAGE,
} from '../support/fake-unleash.js';

const TOKEN = '*:*.secret-admin-token';

describe('control/http', function () {
  let server: FakeServer;
  const target = (overrides: Partial<HttpTarget> = {}): HttpTarget => ({
    baseUrl: server.url,
    token: TOKEN,
    tokenRole: 'admin token',
    timeoutMs: 2_000,
    ...overrides,
  });

  before(async function () {
    server = await startFakeServer();
  });

  beforeEach(function () {
    server.requests.length = 0;
  });

  after(async function () {
    await server.close();
  });

  describe('sendJson', function () {
    it('sends the token as Authorization and a JSON body with its content type', async function () {
      server.route(() => ({ status: 200, body: { ok: true } }));
      const answer = await sendJson(target(), 'POST', '/api/admin/projects/default/features', { name: 'f' });
      expect(answer).to.deep.equal({ status: 200, body: { ok: true }, reason: undefined });
      expect(server.requests).to.deep.equal([
        { method: 'POST', url: '/api/admin/projects/default/features', authorization: TOKEN, contentType: 'application/json', body: { name: 'f' } },
      ]);
    });

    it('reports an answer whose body stalls past the timeout as unreachable, like no answer at all', async function () {
      server.route(() => 'stall');
      const error = await failureOf(() => sendJson(target({ timeoutMs: 200 }), 'GET', '/api/client/features'));
      expect(error).to.be.instanceOf(UnleashError).with.property('kind', 'unreachable');
      expect((error as Error).message).to.match(/no answer within 200 ms/);
    });

    it('sends no body and no content type without a body', async function () {
      server.route(() => ({ status: 200, body: [] }));
      await sendJson(target(), 'GET', '/api/admin/projects/default/overview');
      expect(server.requests[0]).to.include({ method: 'GET', contentType: undefined, body: undefined });
    });

    it('returns an error status instead of throwing, with Unleash\'s message as the reason', async function () {
      server.route(() => ({ status: 409, body: { name: 'NameExistsError', message: 'A flag with that name already exists' } }));
      const answer = await sendJson(target(), 'POST', '/x', {});
      expect(answer).to.deep.include({ status: 409, reason: 'A flag with that name already exists' });
    });

    it('takes a text body as the reason, cut to 300 characters', async function () {
      server.route(() => ({ status: 502, text: `Bad gateway ${'x'.repeat(400)}` }));
      const answer = await sendJson(target(), 'GET', '/x');
      expect(answer.status).to.equal(502);
      expect(answer.reason).to.have.length(300).and.to.match(/^Bad gateway x+$/);
    });

    it('reads an empty body as no body and no reason', async function () {
      server.route(() => ({ status: 200 }));
      expect(await sendJson(target(), 'POST', '/x')).to.deep.equal({ status: 200, body: undefined, reason: undefined });
    });

    it('throws "unreachable" when the connection is refused, naming the URL and not the token', async function () {
      const url = await refusedUrl();
      const error = await failureOf(() => sendJson(target({ baseUrl: url }), 'GET', '/api/admin/projects/default/overview'));
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'unreachable', status: undefined });
      expect((error as Error).message).to.equal(`Cannot reach Unleash at ${url}: connection refused`);
      expect((error as Error).message).not.to.contain(TOKEN);
    });

    it('throws "unreachable" when no answer comes within timeoutMs', async function () {
      server.route(() => 'hang');
      const started = Date.now();
      const error = await failureOf(() => sendJson(target({ timeoutMs: 200 }), 'GET', '/slow'));
      expect(error).to.be.instanceOf(UnleashError).and.include({ kind: 'unreachable' });
      expect((error as Error).message).to.equal(`Cannot reach Unleash at ${server.url}: no answer within 200 ms`);
      expect(Date.now() - started).to.be.within(150, 2_000);
    });
  });

  describe('expectStatus on real answers', function () {
    async function answerWith(status: number, body?: unknown): Promise<HttpAnswer> {
      server.route(() => ({ status, body }));
      return sendJson(target(), 'POST', '/api/admin/projects/default/features');
    }
    const REQUEST = 'POST /api/admin/projects/default/features';

    it('accepts a listed status', async function () {
      expect(() => expectStatus({ status: 201, body: undefined, reason: undefined }, [200, 201], target(), REQUEST)).not.to.throw();
    });

    it('401: the token is unknown, named by its role', async function () {
      const answer = await answerWith(401, { message: 'You must log in to use Unleash' });
      expect(() => expectStatus(answer, [200], target(), REQUEST))
        .to.throw(UnleashError, 'Unleash rejected the admin token (401 Unauthorized): it is unknown, expired or malformed. Unleash says: You must log in to use Unleash.')
        .with.include({ kind: 'unauthorized', status: 401 });
      expect(() => expectStatus(answer, [200], target({ tokenRole: 'client token' }), REQUEST)).to.throw(UnleashError, /^Unleash rejected the client token \(401/);
    });

    it('403: the token lacks rights, with a hint that fits its role', async function () {
      const answer = await answerWith(403, { message: 'invalid token: expected a different token type for this endpoint' });
      expect(() => expectStatus(answer, [200], target(), REQUEST))
        .to.throw(
          UnleashError,
          `The admin token lacks the rights for ${REQUEST} (403 Forbidden). Unleash says: invalid token: expected a different token type for this endpoint. Use an admin API token or a personal access token allowed to change this project; backend (client) tokens cannot use the Admin API.`,
        )
        .with.include({ kind: 'forbidden', status: 403 });
      expect(() => expectStatus(answer, [200], target({ tokenRole: 'client token' }), REQUEST)).to.throw(UnleashError, / Use a backend \(client\) API token\.$/);
    });

    it('404 and 409 are "rejected" unless accepted, with the request and Unleash\'s reason', async function () {
      const missing = await answerWith(404, { name: 'NotFoundError', message: 'Could not find feature f' });
      expect(() => expectStatus(missing, [200], target(), REQUEST))
        .to.throw(UnleashError, `Unleash answered 404 to ${REQUEST}. Unleash says: Could not find feature f.`)
        .with.include({ kind: 'rejected', status: 404 });
      expect(() => expectStatus(missing, [200, 404], target(), REQUEST)).not.to.throw();

      const conflict = await answerWith(409, { message: 'A flag with that name already exists' });
      expect(() => expectStatus(conflict, [200], target(), REQUEST)).to.throw(UnleashError, /^Unleash answered 409 to POST .* Unleash says: A flag with that name already exists\.$/);
    });

    it('503 from Unleash\'s own maintenance mode says so', async function () {
      const answer = await answerWith(503, { message: UNLEASH_MAINTENANCE_MESSAGE });
      expect(() => expectStatus(answer, [200], target(), REQUEST))
        .to.throw(UnleashError, `Unleash itself is in maintenance mode (set in its admin settings), so it refuses ${REQUEST}: it takes no changes until an admin turns that off.`)
        .with.include({ kind: 'unleash-maintenance', status: 503 });
    });

    it('a 503 with any other text, a proxy\'s maintenance page say, stays "rejected"', async function () {
      const proxy = await answerWith(503, { message: 'Site in maintenance mode, back soon' });
      expect(() => expectStatus(proxy, [200], target(), REQUEST))
        .to.throw(UnleashError, `Unleash answered 503 to ${REQUEST}. Unleash says: Site in maintenance mode, back soon.`)
        .with.include({ kind: 'rejected', status: 503 });
      // Unleash's sentence on another status is not its maintenance mode either.
      const other = await answerWith(500, { message: UNLEASH_MAINTENANCE_MESSAGE });
      expect(() => expectStatus(other, [200], target(), REQUEST)).to.throw(UnleashError).with.include({ kind: 'rejected', status: 500 });
    });

    it('says nothing more when the answer has no reason', async function () {
      const answer = await answerWith(500);
      expect(() => expectStatus(answer, [200], target(), REQUEST)).to.throw(UnleashError, /^Unleash answered 500 to POST \/api\/admin\/projects\/default\/features\.$/);
    });
  });

  describe('unleashSays', function () {
    it('makes a sentence of the reason, adding a full stop only when it has none', function () {
      expect(unleashSays(undefined)).to.equal('');
      expect(unleashSays('')).to.equal('');
      expect(unleashSays('No such flag')).to.equal(' Unleash says: No such flag.');
      expect(unleashSays('Really?')).to.equal(' Unleash says: Really?');
    });
  });
});
