import { expect } from 'chai';
import Koa from 'koa';
import { maintenance, type MaintenanceOptions } from '../../src/index.js';
import { hostnameOf } from '../../src/request/hostname.js';
import { appWith } from '../support/app.js';
import { listen, type Listening } from '../support/http.js';
import { destroyUnleashClients, flag, realUnleash } from '../support/unleash.js';

/** On only for requests whose `properties.<name>` is one of `values` (a real Unleash constraint). */
function flagOnlyFor(name: string, values: string[]) {
  return flag(true, { strategies: [{ name: 'default', parameters: {}, constraints: [{ contextName: name, operator: 'IN', values, caseInsensitive: false, inverted: false }] }] });
}

describe('the Unleash context holds nothing a client can forge', () => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  after(destroyUnleashClients);

  async function start(options: Partial<MaintenanceOptions>, configure: (app: Koa) => void = () => {}): Promise<Listening> {
    const unleash = await realUnleash([flagOnlyFor('hostname', ['shop.example.com'])]);
    const app = appWith({ unleash, ...options });
    configure(app);
    server = await listen(app);
    return server;
  }

  it('reads hostname from Host, lowercased, without port or trailing dot, even with app.proxy', async () => {
    const app = await start({}, (koa) => (koa.proxy = true));
    const table: [headers: Record<string, string>, status: number][] = [
      [{ host: 'shop.example.com' }, 503],
      [{ host: 'SHOP.Example.com' }, 503],
      [{ host: 'shop.example.com.' }, 503],
      [{ host: 'shop.example.com:8443' }, 503],
      [{ host: 'shop.example.com', 'x-forwarded-host': 'other.example' }, 503], // the peer is no trusted proxy
      [{ host: 'other.example' }, 200],
    ];
    for (const [headers, status] of table) expect((await app.send('/', { headers })).status, JSON.stringify(headers)).to.equal(status);
  });

  it('takes X-Forwarded-Host only from a peer that trustProxy trusts', async () => {
    const app = await start({ trustProxy: ['127.0.0.7'] });
    const viaProxy = (forwardedHost: string) => app.send('/', { from: '127.0.0.7', headers: { host: 'internal:3000', 'x-forwarded-host': forwardedHost } });
    expect((await viaProxy('Shop.Example.com')).status).to.equal(503);
    expect((await viaProxy('other.example, shop.example.com')).status, 'the first value, as the proxy wrote it').to.equal(200);
    const direct = await app.send('/', { from: '127.0.0.8', headers: { host: 'shop.example.com', 'x-forwarded-host': 'other.example' } });
    expect(direct.status).to.equal(503);
  });

  it('gives Unleash the raw path, as rules and routers see it', async () => {
    const unleash = await realUnleash([flagOnlyFor('path', ['/%61dmin'])]);
    server = await listen(appWith({ unleash }));
    expect((await server.send('/%61dmin')).status).to.equal(503);
    expect((await server.send('/admin')).status).to.equal(200);
  });

  it('never answers 500 when Koa cannot read the target: the path and hostname are unknown to Unleash, and the gate blocks', async () => {
    const targets = ['http://[::1/healthz', 'http://[::1]:abc/x', 'http://[::1/'];
    const contextual = await realUnleash([flagOnlyFor('path', ['/never'])]); // needs the context; off for an unknown path
    server = await listen(appThatNeverReadsThePath({ unleash: contextual }));
    for (const target of targets) expect((await server.send(target)).status, target).to.equal(200);
    await server.close();
    const on = await realUnleash([flag(true)]);
    server = await listen(appThatNeverReadsThePath({ unleash: on, allowedUrls: [/./] }));
    for (const target of targets) expect((await server.send(target)).status, target).to.equal(503);
  });
});

/** The route behind answers without touching `ctx.path`, which throws for these targets in the app too. */
function appThatNeverReadsThePath(options: MaintenanceOptions): Koa {
  const app = new Koa();
  app.use(maintenance({ logger: { warn() {}, error() {} }, ...options }));
  app.use((ctx) => {
    ctx.body = 'through';
  });
  return app;
}

describe('hostnameOf', () => {
  const cases: [host: string | undefined, hostname: string | undefined][] = [
    ['shop.example.com', 'shop.example.com'],
    ['SHOP.example.COM', 'shop.example.com'],
    ['shop.example.com.', 'shop.example.com'],
    ['shop.example.com.:8080', 'shop.example.com'],
    [' shop.example.com ', 'shop.example.com'],
    ['[::1]:8080', '[::1]'],
    ['[::1', undefined],
    [':8080', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [host, hostname] of cases) {
    it(`${JSON.stringify(host)} → ${JSON.stringify(hostname)}`, () => expect(hostnameOf(host)).to.equal(hostname));
  }
});
