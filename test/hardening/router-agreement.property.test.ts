import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import Router from '@koa/router';
import { expect } from 'chai';
import fc from 'fast-check';
import Koa, { type Context } from 'koa';
import mount from 'koa-mount';
import type { Unleash } from 'unleash-client';
import { WebSocketServer } from 'ws';
import { maintenance, type MaintenanceMiddleware, type MaintenanceReason } from '../../src/index.js';
import { propertyTimeout, seeded } from '../support/property.js';
import { recordingLogger } from '../support/gate-app.js';
import { closeServer, listen } from '../support/raw-http.js';
import { socketRequest, type SocketResponse } from '../support/raw-socket.js';
import { requestTarget } from '../support/request-targets.js';
import { flag, realUnleash } from '../support/unleash.js';

/**
 * Proves that the gate and the routers behind it (koa-mount, @koa/router, a real `ws` server) agree. Both read
 * the raw `ctx.path`; a rule (an allowed URL, a health path) lets a request through only when that raw path is
 * in normal form, and then the route that answers is the one the rule names. Every other request gets the 503
 * while maintenance is on, and no request target, however odd, turns into a 500. Targets come from the whole
 * request-target grammar (RFC 9112 §3.2), and each may arrive as a plain request or as a WebSocket handshake
 * through `gate.upgrade`: an upgrade opens only where a rule that admits upgrades (an allowed URL, never a
 * health path) names the path. Requests go over a raw TCP socket, so each target reaches the server exactly
 * as written.
 */

const ALLOWED_URL = /^\/admin(\/|$)/;
const HEALTH_PATHS = ['/healthz', '/readyz', '/livez'];
const HEALTH_METHODS = ['GET', 'HEAD'];

type Handler = 'admin' | 'healthz' | 'tenant-orders' | 'collection' | 'catch-all' | 'websocket';

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
const UPGRADED: Expected = { reason: 'allowed-url', status: 101, handler: 'websocket' };

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
    const path: unknown = ctx.path;
    return typeof path === 'string' ? path : undefined; // `GET http://` gives null
  } catch {
    return undefined; // Koa could not parse the target (e.g. `http://[::1/healthz`)
  }
}

/**
 * The gate, then a mounted admin app, a router with one health route for every default health path, and a
 * catch-all; and the gate's `upgrade` in front of a real `ws` server, which accepts any path it is handed.
 */
function buildServer(unleash: Unleash, probe: { seen: Seen }): Server {
  const app = new Koa();
  app.silent = true;
  app.use((ctx, next) => {
    probe.seen.reached = true;
    probe.seen.path = rawPathOf(ctx);
    return next();
  });
  const gate: MaintenanceMiddleware = maintenance({
    unleash,
    allowedUrls: [ALLOWED_URL],
    logger: recordingLogger(),
    onDecision(_ctx, decision) {
      probe.seen.reason = decision.reason;
    },
  });
  app.use(gate);
  const adminApp = new Koa();
  adminApp.use(answer('admin'));
  app.use(mount('/admin', adminApp));
  const router = new Router();
  router.get(HEALTH_PATHS, answer('healthz'));
  router.post('/:tenant/orders', answer('tenant-orders'));
  router.post('/:collection', answer('collection'));
  app.use(router.routes());
  app.use(answer('catch-all'));
  const server = createServer(app.callback());
  const wss = new WebSocketServer({ noServer: true });
  wss.on('headers', (headers) => headers.push('X-Handler: websocket'));
  const upgradeThroughGate = gate.upgrade((req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.terminate()));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    probe.seen.reached = true;
    probe.seen.path = rawPathOf(app.createContext(req, new ServerResponse(req)) as Context);
    upgradeThroughGate(req, socket, head);
  });
  return server;
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
function expectedOutcome(method: string, path: string | undefined, upgrade: boolean): Expected {
  if (path === undefined || !isNormalForm(path)) return BLOCKED;
  if (!upgrade && HEALTH_METHODS.includes(method) && HEALTH_PATHS.includes(path)) return HEALTH;
  if (ALLOWED_URL.test(path)) return upgrade ? UPGRADED : ALLOWED;
  return BLOCKED;
}

function outcomeOf(response: SocketResponse, seen: Seen): Outcome {
  return { reason: seen.reason, status: response.status, handler: response.headers['x-handler'] };
}

/** The names the rules care about, drawn as often as all the others together, so rule paths come up in many spellings. */
const RULE_SEGMENTS = ['admin', 'healthz', 'readyz'];

/** A plain request of any method, or a WebSocket handshake (a GET, as RFC 6455 has it). */
const request = fc.oneof(
  { weight: 3, arbitrary: fc.record({ method: fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS', 'CONNECT'), target: requestTarget(RULE_SEGMENTS), upgrade: fc.constant(false) }) },
  { weight: 1, arbitrary: fc.record({ method: fc.constant('GET'), target: requestTarget(RULE_SEGMENTS), upgrade: fc.constant(true) }) },
);

describe('router agreement: the gate lets a request through only to the route its rule names', function () {
  let unleash: Unleash;
  let server: Server;
  let port: number;
  const probe = { seen: freshSeen() };

  before(async function () {
    unleash = await realUnleash([flag(true)]);
    server = buildServer(unleash, probe);
    port = await listen(server);
  });

  after(async function () {
    await closeServer(server);
    unleash.destroy();
  });

  async function send(requestMethod: string, target: string, upgrade = false): Promise<{ response: SocketResponse; seen: Seen }> {
    probe.seen = freshSeen();
    const response = await socketRequest({ port, method: requestMethod, target, upgrade });
    return { response, seen: probe.seen };
  }

  async function expectOutcome(requestMethod: string, target: string, expected: Outcome, upgrade = false): Promise<void> {
    const { response, seen } = await send(requestMethod, target, upgrade);
    expect(outcomeOf(response, seen), `${requestMethod} ${target}${upgrade ? ' (upgrade)' : ''}`).to.deep.equal(expected);
  }

  it('every generated request and upgrade: never a 500, a route only by a rule, the rule only on a normal-form raw path', async function () {
    this.timeout(propertyTimeout(90_000));
    const tally = new Map<string, number>();
    const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
    await fc.assert(
      fc.asyncProperty(request, async ({ method: requestMethod, target, upgrade }) => {
        const { response, seen } = await send(requestMethod, target, upgrade);
        const context = `${requestMethod} ${target}${upgrade ? ' (upgrade)' : ''} (ctx.path ${JSON.stringify(seen.path)})`;
        expect(response.status, `${context}: never a 500`).to.not.equal(500);
        if (!seen.reached) {
          // Node refused the target itself (400), or closed a CONNECT no one listens for: no gate, no route ran.
          expect({ refused: [0, 400].includes(response.status), handler: response.headers['x-handler'] }, context).to.deep.equal({ refused: true, handler: undefined });
          count('refused by Node');
          return;
        }
        const expected = expectedOutcome(requestMethod, seen.path, upgrade);
        const actual = outcomeOf(response, seen);
        expect(actual, `${context}: got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`).to.deep.equal(expected);
        count(expected === UPGRADED ? 'upgraded' : expected.reason);
        if (seen.path === undefined) count('path unreadable');
        if (upgrade && expected === BLOCKED) count('upgrade refused');
      }),
      seeded(2000),
    );
    // The generator must reach every outcome, or the property proves less than it says.
    for (const outcome of ['health', 'allowed-url', 'blocked', 'upgraded', 'upgrade refused', 'path unreadable', 'refused by Node']) {
      expect(tally.get(outcome) ?? 0, `${outcome} (${JSON.stringify([...tally])})`).to.be.at.least(20);
    }
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

  describe('targets Koa cannot read a path from: it throws on some, gives a null path for others', function () {
    for (const target of ['http://[::1/healthz', 'http://[::1]:abc/x', 'http://', 'https://', 'HTTP://', 'foo://', 'http://@']) {
      for (const requestMethod of ['GET', 'POST']) {
        it(`${requestMethod} ${target} gets the 503, never a 500`, async function () {
          await expectOutcome(requestMethod, target, BLOCKED);
        });
      }
      it(`an upgrade to ${target} gets the 503`, async function () {
        await expectOutcome('GET', target, BLOCKED, true);
      });
    }
  });

  describe('upgrades: allowed URLs admit them, health paths never do', function () {
    const upgrades: [string, Expected][] = [
      ['/healthz', BLOCKED],
      ['/readyz?x=1', BLOCKED],
      ['http://shop.example/livez', BLOCKED],
      ['/admin/live', UPGRADED],
      ['http://shop.example/admin', UPGRADED],
    ];
    for (const [target, expected] of upgrades) {
      it(`an upgrade to ${target} ${expected === UPGRADED ? 'opens' : 'gets the 503'}`, async function () {
        await expectOutcome('GET', target, expected, true);
      });
    }
  });
});
