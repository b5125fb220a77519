import { createServer, type Server } from 'node:http';
import Router from '@koa/router';
import { expect } from 'chai';
import fc from 'fast-check';
import Koa, { type Context } from 'koa';
import mount from 'koa-mount';
import type { Unleash } from 'unleash-client';
import { maintenance, type MaintenanceReason } from '../../src/index.js';
import { propertyTimeout, seeded } from '../support/property.js';
import { recordingLogger } from './support/app.js';
import { closeServer, listen } from './support/raw-http.js';
import { socketRequest, type SocketResponse } from './support/raw-socket.js';
import { bootstrappedUnleash, maintenanceFeature } from './support/unleash.js';

/**
 * Proves that the gate and the routers behind it (koa-mount, @koa/router) agree. Both read the raw `ctx.path`;
 * a rule (an allowed URL, a health path) lets a request through only when that raw path is in normal form, and
 * then the route that answers is the one the rule names. Every other request gets the 503 while maintenance is
 * on, and no request target, however odd, turns into a 500. Requests go over a raw TCP socket, so each target
 * reaches the server exactly as written.
 */

const ALLOWED_URL = /^\/admin(\/|$)/;
const HEALTH_PATHS = ['/healthz', '/readyz', '/livez'];
const HEALTH_METHODS = ['GET', 'HEAD'];

type Handler = 'admin' | 'healthz' | 'tenant-orders' | 'collection' | 'catch-all';

/** What the app saw of one request: whether any middleware ran, the raw path Koa read (if it could), the gate's reason. */
interface Seen {
  reached: boolean;
  path: string | undefined;
  reason: MaintenanceReason | undefined;
}

/** How a request went: the gate's reason (if it recorded one), the status, and the handler that answered (if any). */
interface Outcome {
  reason: MaintenanceReason | undefined;
  status: number;
  handler: string | undefined;
}

/** How a request must go: the gate always decides. */
interface Expected extends Outcome {
  reason: MaintenanceReason;
}

const BLOCKED: Expected = { reason: 'blocked', status: 503, handler: undefined };
const HEALTH: Expected = { reason: 'health', status: 200, handler: 'healthz' };
const ALLOWED: Expected = { reason: 'allowed-url', status: 200, handler: 'admin' };

function freshSeen(): Seen {
  return { reached: false, path: undefined, reason: undefined };
}

/** Each handler names itself in a header too, since an answer to HEAD has no body. */
function answer(handler: Handler) {
  return (ctx: Context) => {
    ctx.set('X-Handler', handler);
    ctx.body = `handler:${handler}`;
  };
}

function rawPathOf(ctx: Context): string | undefined {
  try {
    return ctx.path;
  } catch {
    return undefined; // Koa could not parse the target (e.g. `http://xn--/healthz`)
  }
}

/** The gate, then a mounted admin app, a router with one health route for every default health path, and a catch-all. */
function buildApp(unleash: Unleash, probe: { seen: Seen }): Koa {
  const app = new Koa();
  app.silent = true;
  app.use((ctx, next) => {
    probe.seen.reached = true;
    probe.seen.path = rawPathOf(ctx);
    return next();
  });
  app.use(
    maintenance({
      unleash,
      allowedUrls: [ALLOWED_URL],
      logger: recordingLogger(),
      onDecision(_ctx, decision) {
        probe.seen.reason = decision.reason;
      },
    }),
  );
  const adminApp = new Koa();
  adminApp.use(answer('admin'));
  app.use(mount('/admin', adminApp));
  const router = new Router();
  router.get(HEALTH_PATHS, answer('healthz'));
  router.post('/:tenant/orders', answer('tenant-orders'));
  router.post('/:collection', answer('collection'));
  app.use(router.routes());
  app.use(answer('catch-all'));
  return app;
}

/** Unreserved characters (RFC 3986) and the two separators: a path that percent-encodes one of them is not in normal form. */
function isPointlessEscape(byte: number): boolean {
  const char = String.fromCharCode(byte);
  return /^[A-Za-z0-9\-._~]$/.test(char) || char === '/' || char === '\\';
}

/** The bytes a segment's `%XX` escapes stand for, or `undefined` when one is malformed. */
function escapedBytes(segment: string): number[] | undefined {
  const bytes: number[] = [];
  for (let at = segment.indexOf('%'); at !== -1; at = segment.indexOf('%', at + 3)) {
    const hex = segment.slice(at + 1, at + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
    bytes.push(Number.parseInt(hex, 16));
  }
  return bytes;
}

/** Not `.` or `..`; empty only as the last segment (the root, or after a trailing slash); no pointless escape. */
function isNormalSegment(segment: string, isLast: boolean): boolean {
  if (segment === '') return isLast;
  if (segment === '.' || segment === '..') return false;
  const bytes = escapedBytes(segment);
  return bytes !== undefined && !bytes.some(isPointlessEscape);
}

function decodesAsUtf8(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** The oracle for "normal form": rooted, no `\`, decodable as UTF-8, and every `/`-separated segment normal. */
function isNormalForm(path: string): boolean {
  if (!path.startsWith('/') || path.includes('\\') || !decodesAsUtf8(path)) return false;
  const segments = path.slice(1).split('/');
  return segments.every((segment, index) => isNormalSegment(segment, index === segments.length - 1));
}

/** What the gate must decide for a request whose raw path Koa read as `path` (`undefined`: unreadable). */
function expectedOutcome(method: string, path: string | undefined): Expected {
  if (path === undefined || !isNormalForm(path)) return BLOCKED;
  if (HEALTH_METHODS.includes(method) && HEALTH_PATHS.includes(path)) return HEALTH;
  if (ALLOWED_URL.test(path)) return ALLOWED;
  return BLOCKED;
}

function outcomeOf(response: SocketResponse, seen: Seen): Outcome {
  return { reason: seen.reason, status: response.status, handler: response.headers['x-handler'] };
}

/** The names the rules care about are drawn as often as all the others together, so rule paths come up in many spellings. */
const RULE_SEGMENTS = ['admin', 'healthz', 'readyz'];
const OTHER_SEGMENTS = ['orders', 'x', 'caf%C3%A9', '', '.', '..', ';', 'a;b'];
const ODD_SEPARATORS = ['//', '%2F', '%2f', '%5C', '\\'];

/** One character as written, or percent-encoded in upper or lower case hex; an existing escape stays whole. */
function spelledToken(token: string): fc.Arbitrary<string> {
  if (token.startsWith('%')) return fc.constant(token);
  const hex = token.charCodeAt(0).toString(16).padStart(2, '0');
  const encoded = fc.constantFrom(`%${hex.toUpperCase()}`, `%${hex.toLowerCase()}`);
  return fc.oneof({ weight: 8, arbitrary: fc.constant(token) }, { weight: 1, arbitrary: encoded });
}

const spelledSegment = fc
  .oneof(fc.constantFrom(...RULE_SEGMENTS), fc.constantFrom(...OTHER_SEGMENTS))
  .chain((segment) => fc.tuple(...(segment.match(/%[0-9A-Fa-f]{2}|./g) ?? []).map(spelledToken)))
  .map((tokens) => tokens.join(''));

const separator = fc.oneof({ weight: 5, arbitrary: fc.constant('/') }, { weight: 2, arbitrary: fc.constantFrom(...ODD_SEPARATORS) });

/** Half the paths have one segment, as health paths do. */
const moreSegments = fc.oneof(fc.constant([]), fc.array(fc.tuple(separator, spelledSegment), { minLength: 1, maxLength: 3 }));
const trailingSlash = fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constant('/') });
const query = fc.constantFrom('', '?x=1');

/** A path without its leading `/`: segments joined by separators, maybe a trailing slash, maybe a query. */
const pathBody = fc
  .tuple(spelledSegment, moreSegments, trailingSlash, query)
  .map(([first, rest, slash, search]) => [first, ...rest.map(([sep, segment]) => sep + segment), slash, search].join(''));

/** Origin-form, absolute-form, and absolute-form with the path glued to the host (`http://a.%68ealthz`). */
const requestTarget = fc.oneof(
  { weight: 3, arbitrary: pathBody.map((body) => `/${body}`) },
  { weight: 2, arbitrary: pathBody.map((body) => `http://shop.example/${body}`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('shop.example', 'a.'), fc.constantFrom('%2F', '%2f', ''), pathBody)
      .map(([host, glue, body]) => `http://${host}${glue}${body}`),
  },
);

const method = fc.constantFrom('GET', 'HEAD', 'POST');

describe('router agreement: the gate lets a request through only to the route its rule names', function () {
  let unleash: Unleash;
  let server: Server;
  let port: number;
  const probe = { seen: freshSeen() };

  before(async function () {
    unleash = await bootstrappedUnleash([maintenanceFeature(true)]);
    server = createServer(buildApp(unleash, probe).callback());
    port = await listen(server);
  });

  after(async function () {
    await closeServer(server);
    unleash.destroy();
  });

  async function send(requestMethod: string, target: string): Promise<{ response: SocketResponse; seen: Seen }> {
    probe.seen = freshSeen();
    const response = await socketRequest({ port, method: requestMethod, target });
    return { response, seen: probe.seen };
  }

  async function expectOutcome(requestMethod: string, target: string, expected: Outcome): Promise<void> {
    const { response, seen } = await send(requestMethod, target);
    expect(outcomeOf(response, seen), `${requestMethod} ${target}`).to.deep.equal(expected);
  }

  it('every generated request: never a 500, a route only by a rule, the rule only on a normal-form raw path', async function () {
    this.timeout(propertyTimeout(60_000));
    const tally = new Map<string, number>();
    const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
    await fc.assert(
      fc.asyncProperty(method, requestTarget, async (requestMethod, target) => {
        const { response, seen } = await send(requestMethod, target);
        const context = `${requestMethod} ${target} (ctx.path ${JSON.stringify(seen.path)})`;
        expect(response.status, `${context}: never a 500`).to.not.equal(500);
        if (!seen.reached) {
          // Node's HTTP parser refused the target itself: no middleware and no route ran.
          expect({ status: response.status, handler: response.headers['x-handler'] }, context).to.deep.equal({ status: 400, handler: undefined });
          count('refused by Node');
          return;
        }
        const expected = expectedOutcome(requestMethod, seen.path);
        const actual = outcomeOf(response, seen);
        expect(actual, `${context}: got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`).to.deep.equal(expected);
        count(expected.reason);
      }),
      seeded(2000),
    );
    // The generator must reach every outcome, or the property proves less than it says.
    for (const outcome of ['health', 'allowed-url', 'blocked']) expect(tally.get(outcome) ?? 0, outcome).to.be.at.least(25);
  });

  describe('targets that spell a rule path another way (today they reach a route past the gate)', function () {
    const leaks: [string, string][] = [
      ['POST', '/%61dmin/orders'], // today 200 from POST /:tenant/orders
      ['POST', '/%68ealthz'], // today 200 from POST /:collection
      ['POST', '/admin%2Fanything'], // today 200 from POST /:collection
      ['GET', '/%61dmin/'], // today 200 from the catch-all
      ['GET', 'http://a.%68ealthz'], // today let through as a health check; the catch-all answers
    ];
    for (const [requestMethod, target] of leaks) {
      it(`${requestMethod} ${target} gets the 503 and no handler runs`, async function () {
        await expectOutcome(requestMethod, target, BLOCKED);
      });
    }
  });

  describe('targets a rule lets through, to the route it names', function () {
    const passes: [string, string, Expected][] = [
      ['GET', '/admin/x', ALLOWED],
      ['POST', '/admin', ALLOWED],
      ['GET', '/healthz', HEALTH],
      ['GET', 'http://shop.example/admin/users', ALLOWED],
      ['GET', '/admin/caf%C3%A9', ALLOWED],
    ];
    for (const [requestMethod, target, expected] of passes) {
      it(`${requestMethod} ${target} reaches handler:${expected.handler}`, async function () {
        await expectOutcome(requestMethod, target, expected);
      });
    }
  });

  describe('targets Koa cannot read a path from', function () {
    for (const target of ['http://xn--/healthz', 'http://[::1]:abc/x', 'http://xn--0/']) {
      it(`GET ${target} gets the 503, never a 500`, async function () {
        await expectOutcome('GET', target, BLOCKED);
      });
    }
  });
});
