import type { IncomingHttpHeaders } from 'node:http';
import { expect } from 'chai';
import Koa, { type Context, type Next } from 'koa';
import { maintenance } from '../../src/index.js';
import { listen, type Listening, type Reply } from '../support/http.js';
import { destroyUnleashClients, flag, realUnleash } from '../support/unleash.js';

const SECRET = 'k3J9-xQ2_vT7pL0mN5bR8cW1zY4aF6hD';
const BYPASSED = '127.0.0.1';

/**
 * Routes that answer in every way an app can: Koa's own answer, errors Koa's error handler writes (it clears
 * every header but `err.headers`), and answers the app writes itself. What a bypass lets through must stay
 * out of shared caches whichever way it leaves, and must otherwise be the same answer as without the gate.
 */
const ROUTES: Record<string, (ctx: Context) => void> = {
  '/page': (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=600');
    ctx.body = 'page';
  },
  '/missing': (ctx) => ctx.throw(404),
  '/too-large': (ctx) => ctx.throw(413, 'request entity too large'),
  '/boom': () => {
    throw new Error('boom');
  },
  '/not-an-error': () => {
    throw 'not an error';
  },
  '/gone': () => {
    throw Object.assign(new Error('gone'), { status: 410, expose: true, headers: { 'Cache-Control': 'public, max-age=600', 'X-Reason': 'moved' } });
  },
  '/raw': (ctx) => {
    ctx.respond = false;
    ctx.res.writeHead(200, { 'Cache-Control': 'public, max-age=600', 'Content-Type': 'text/plain' });
    ctx.res.end('raw');
  },
  '/raw-list': (ctx) => {
    ctx.respond = false;
    ctx.res.writeHead(200, 'Fine', ['Cache-Control', 'public', 'X-Raw', '1']);
    ctx.res.end('raw list');
  },
  '/raw-no-reason': (ctx) => {
    ctx.respond = false;
    ctx.res.writeHead(200, undefined, { 'Cache-Control': 'public', 'X-Kept': 'yes' });
    ctx.res.end('raw, no reason');
  },
  '/flushed': (ctx) => {
    ctx.respond = false;
    ctx.res.setHeader('Cache-Control', 'public, max-age=600');
    ctx.res.setHeader('Content-Type', 'text/event-stream');
    ctx.res.flushHeaders();
    ctx.res.end('data: one\n\n');
  },
};

/** An error handler in front of everything, as many apps have: it writes its own answer for thrown errors. */
async function handleErrors(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    if (ctx.path !== '/handled') throw error;
    ctx.status = 409;
    ctx.body = 'handled';
  }
}

async function site(on: boolean): Promise<Listening> {
  const app = new Koa();
  app.silent = true;
  app.use(handleErrors);
  app.use(maintenance({ unleash: await realUnleash([flag(on)]), bypassIps: [BYPASSED], bypassSecret: { secret: SECRET }, logger: { warn() {}, error() {} } }));
  app.use((ctx) => {
    if (ctx.path === '/handled') throw new Error('to be handled');
    const route = ROUTES[ctx.path];
    if (route) route(ctx);
  });
  return listen(app);
}

/** What the gate may add, and what changes by itself. */
const UNCOMPARED = new Set(['cache-control', 'vary', 'date', 'connection', 'keep-alive']);

/** The answer without the headers above. */
function comparable(reply: Reply): { status: number; body: string; headers: IncomingHttpHeaders } {
  const headers = Object.fromEntries(Object.entries(reply.headers).filter(([name]) => !UNCOMPARED.has(name)));
  return { status: reply.status, body: reply.body, headers };
}

describe('answers a bypass lets through while maintenance is on', function () {
  let off: Listening;
  let on: Listening;

  before(async function () {
    [off, on] = await Promise.all([site(false), site(true)]);
  });

  after(async function () {
    await Promise.all([off.close(), on.close()]);
    destroyUnleashClients();
  });

  for (const path of [...Object.keys(ROUTES), '/handled']) {
    it(`${path}: private, no-store, and otherwise the same answer as without maintenance`, async function () {
      const bypassed = await on.send(path, { from: BYPASSED });
      expect(bypassed.headers['cache-control'], 'bypass IP').to.equal('private, no-store');
      const byHeader = await on.send(path, { from: '127.0.0.2', headers: { 'x-maintenance-bypass': SECRET } });
      expect(byHeader.headers['cache-control'], 'bypass header').to.equal('private, no-store');
      expect(String(byHeader.headers.vary), 'bypass header').to.contain('x-maintenance-bypass');
      const plain = await off.send(path, { from: BYPASSED });
      expect(comparable(bypassed)).to.deep.equal(comparable(plain));
      expect(comparable(byHeader)).to.deep.equal(comparable(plain));
      expect(plain.headers['cache-control'], 'maintenance off: untouched').to.not.equal('private, no-store');
    });
  }
});
