import cors from '@koa/cors';
import { expect } from 'chai';
import Koa from 'koa';
import request from 'supertest';
import type { Unleash } from 'unleash-client';
import { maintenance, type MaintenanceOptions } from '../../src/index.js';
import { destroyUnleashClients, flag, flagWithPayload, realUnleash } from '../support/unleash.js';

const ORIGIN = 'https://app.example';
const quiet = { warn() {}, error() {} };

/** The documented order: @koa/cors first, so every answer (the 503 included) carries CORS headers. */
function corsFirst(unleash: Unleash, corsOptions: cors.Options = {}, extra: Partial<MaintenanceOptions> = {}): Koa {
  const app = new Koa();
  app.use(cors(corsOptions));
  app.use(maintenance({ unleash, logger: quiet, ...extra }));
  app.use((ctx) => {
    ctx.body = { route: ctx.path, method: ctx.method };
  });
  return app;
}

describe('CORS: @koa/cors mounted before the middleware', () => {
  let on: Unleash;
  let withRetry: Unleash;
  before(async () => {
    [on, withRetry] = await Promise.all([realUnleash([flag(true)]), realUnleash([flagWithPayload({ retryAfter: 120 })])]);
  });
  after(destroyUnleashClients);

  it('gives a blocked cross-origin API call its 503 with CORS headers, so the browser shows the 503', async () => {
    const reply = await request(corsFirst(on).callback()).get('/api/orders').set('Origin', ORIGIN).set('Accept', 'application/json');
    expect(reply.status).to.equal(503);
    expect(reply.headers['access-control-allow-origin']).to.equal('*'); // @koa/cors's default origin
    expect(reply.headers['content-type']).to.equal('application/problem+json; charset=utf-8');
    expect(reply.body).to.include({ status: 503, title: 'Down for maintenance' });
    expect(reply.headers.vary).to.equal('Origin, Accept, Accept-Language');
    expect(reply.headers['cache-control']).to.equal('no-store');
  });

  it('keeps credentials and exposed headers, so client code can read Retry-After', async () => {
    const app = corsFirst(withRetry, { origin: (ctx) => ctx.get('Origin'), credentials: true, exposeHeaders: ['Retry-After'] });
    const reply = await request(app.callback()).post('/api/orders').set('Origin', ORIGIN).set('Accept', 'application/json');
    expect(reply.status).to.equal(503);
    expect(reply.headers).to.include({
      'access-control-allow-origin': ORIGIN,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'Retry-After',
      'retry-after': '120',
    });
  });

  it('answers a preflight itself, so it succeeds even while everything is blocked', async () => {
    const reply = await request(corsFirst(on).callback())
      .options('/api/orders/7')
      .set('Origin', ORIGIN)
      .set('Access-Control-Request-Method', 'DELETE')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(reply.status).to.equal(204);
    expect(reply.headers['access-control-allow-origin']).to.equal('*');
    expect(reply.headers['access-control-allow-methods']).to.contain('DELETE');
    expect(reply.headers['access-control-allow-headers']).to.equal('content-type');
  });

  it('in read-only mode: cross-origin reads pass, writes get the read-only 503 with CORS headers', async () => {
    const callback = corsFirst(on, {}, { mode: 'read-only' }).callback();
    const read = await request(callback).get('/api/orders').set('Origin', ORIGIN);
    expect(read.status).to.equal(200);
    expect(read.headers['access-control-allow-origin']).to.equal('*');
    const write = await request(callback).put('/api/orders/7').set('Origin', ORIGIN).set('Accept', 'application/json');
    expect(write.status).to.equal(503);
    expect(write.headers['access-control-allow-origin']).to.equal('*');
    expect(write.body).to.include({ mode: 'read-only' });
  });

  it('(why the order matters) mounted after the middleware, the 503 and the preflight lack CORS headers', async () => {
    const app = new Koa();
    app.use(maintenance({ unleash: on, logger: quiet }));
    app.use(cors());
    const blocked = await request(app.callback()).get('/api/orders').set('Origin', ORIGIN);
    expect(blocked.status).to.equal(503);
    expect(blocked.headers).not.to.have.property('access-control-allow-origin');
    const preflight = await request(app.callback()).options('/api/orders').set('Origin', ORIGIN).set('Access-Control-Request-Method', 'POST');
    expect(preflight.status).to.equal(503);
    expect(preflight.headers).not.to.have.property('access-control-allow-origin');
  });
});
