import { expect } from 'chai';
import request from 'supertest';
import type { Unleash } from 'unleash-client';
import { maintenance, type MaintenanceOptions } from '../../src/index.js';
import { appWith } from '../support/app.js';
import { destroyUnleashClients, flag, realUnleash } from '../support/unleash.js';

describe('healthPaths: health checks pass during maintenance', () => {
  let on: Unleash;
  let off: Unleash;
  before(async () => {
    [on, off] = await Promise.all([realUnleash([flag(true)]), realUnleash([flag(false)])]);
  });
  after(destroyUnleashClients);

  const get = (path: string, extra: Partial<MaintenanceOptions> = {}, unleash = on) =>
    request(appWith({ unleash, ...extra }).callback()).get(path);

  it('lets /healthz, /readyz and /livez through by default, recording reason health', async () => {
    for (const path of ['/healthz', '/readyz', '/livez']) {
      const reply = await get(path);
      expect(reply.status, path).to.equal(200);
      expect(reply.body.maintenance, path).to.deep.equal({ active: true, reason: 'health', clientIp: '127.0.0.1', mode: 'block' });
    }
  });

  it('matches the exact raw path in normal form only', async () => {
    const table: [string, number][] = [
      ['/healthz?verbose=1', 200], // the query string is not part of the path
      ['//healthz', 503], // not in normal form: no rule lets it through
      ['/%68ealthz', 503], // a router sees `%68ealthz`, and `/:collection` would take it
      ['/status/../healthz', 503], // a router mounted on /status would take it as its own
      ['/healthz/', 503],
      ['/healthz/deep', 503],
      ['/healthz-debug', 503],
      ['/HEALTHZ', 503],
      ['/healthz/../admin', 503],
      ['/healthz%2F..%2Fadmin', 503],
      ['/%E0%A4%A', 503], // undecodable: fail closed
      ['/healthz%2F', 503],
      ['/', 503],
    ];
    for (const [path, status] of table) expect((await get(path)).status, path).to.equal(status);
  });

  it('takes its own list, matched as written, and [] turns it off', async () => {
    const own = { healthPaths: ['/ops/ping', '/ops/caf%C3%A9'] };
    expect((await get('/ops/ping', own)).status).to.equal(200);
    expect((await get('/ops/caf%C3%A9', own)).status).to.equal(200);
    expect((await get('/ops/caf%c3%a9', own)).status, 'another spelling is another path to a rule').to.equal(503);
    expect((await get('/healthz', own)).status, 'the defaults are replaced, not extended').to.equal(503);
    expect((await get('/healthz', { healthPaths: [] })).status).to.equal(503);
  });

  it('passes GET and HEAD, before read-only mode and allowed URLs are looked at', async () => {
    const app = appWith({ unleash: on, mode: 'read-only', allowedUrls: ['^/healthz$'] });
    const reply = await request(app.callback()).get('/healthz');
    expect(reply.status).to.equal(200);
    expect(reply.body.maintenance).to.include({ reason: 'health', mode: 'read-only' });
    expect((await request(app.callback()).head('/healthz')).status).to.equal(200);
  });

  it('is no health check for a write: a router may send POST /healthz to another handler', async () => {
    for (const method of ['post', 'put', 'delete', 'patch'] as const) {
      const reply = await request(appWith({ unleash: on }).callback())[method]('/healthz');
      expect(reply.status, method).to.equal(503);
    }
    const allowed = await request(appWith({ unleash: on, allowedUrls: ['^/healthz$'] }).callback()).post('/healthz');
    expect(allowed.body.maintenance, 'an allowed URL still lets it through').to.include({ reason: 'allowed-url' });
  });

  it('records off, not health, while maintenance is off', async () => {
    expect((await get('/healthz', {}, off)).body.maintenance).to.deep.equal({ active: false, reason: 'off' });
  });

  it('refuses what is not a list of paths, naming the entry', () => {
    const startWith = (healthPaths: unknown) => () => maintenance({ unleash: on, healthPaths: healthPaths as never });
    expect(startWith('/healthz')).to.throw(TypeError, /^maintenance\(\): healthPaths "\/healthz" is not an array of paths$/);
    expect(startWith(['/ok', 'healthz'])).to.throw(TypeError, /^maintenance\(\): healthPaths\[1\] "healthz" is not a path starting with "\/"/);
    expect(startWith(['/ok?x'])).to.throw(TypeError, /healthPaths\[0\] "\/ok\?x"/);
    expect(startWith([/healthz/])).to.throw(TypeError, /healthPaths\[0\] \/healthz\/ is not a path/);
    expect(startWith(['/%E0%A4%A'])).to.throw(TypeError, /healthPaths\[0\]/);
    for (const notNormal of ['/%68ealthz', '/ops//ready', '/ops/../healthz', '/ops\\ping', '/ops%2Fping']) {
      expect(startWith([notNormal]), notNormal).to.throw(TypeError, /healthPaths\[0\] .* in normal form/);
    }
  });
});
