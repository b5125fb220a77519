import { expect } from 'chai';
import type { Unleash } from 'unleash-client';
import type { MaintenanceOptions } from '../../src/index.js';
import { appWith } from '../support/app.js';
import { listen, type Listening } from '../support/http.js';
import { destroyUnleashClients, flag, realUnleash } from '../support/unleash.js';

// Real sockets from distinct loopback source addresses: the socket address is what the gate trusts by default.
describe('client IP resolution (real loopback sockets)', () => {
  let unleash: Unleash;
  let server: Listening | undefined;
  before(async () => {
    unleash = await realUnleash([flag(true)]);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  after(destroyUnleashClients);

  async function start(options: Partial<MaintenanceOptions>, host?: string): Promise<Listening> {
    server = await listen(appWith({ unleash, ...options }), host);
    return server;
  }
  const stateOf = (body: string) => JSON.parse(body).maintenance;

  it('uses the socket address and ignores a spoofed X-Forwarded-For from an untrusted peer', async () => {
    const app = await start({ bypassIps: ['127.0.0.2'] });
    const spoofed = await app.send('/', { from: '127.0.0.3', headers: { 'x-forwarded-for': '127.0.0.2', 'x-real-ip': '127.0.0.2', forwarded: 'for=127.0.0.2' } });
    expect(spoofed.status).to.equal(503);
    const real = await app.send('/', { from: '127.0.0.2' });
    expect(real.status).to.equal(200);
    expect(stateOf(real.body)).to.deep.equal({ active: true, reason: 'bypass-ip', clientIp: '127.0.0.2', mode: 'block' });
  });

  it('ignores X-Forwarded-For even when the app sets app.proxy (ctx.ip is never consulted)', async () => {
    const koa = appWith({ unleash, bypassIps: ['10.9.9.9'] });
    koa.proxy = true;
    server = await listen(koa);
    const reply = await server.send('/', { from: '127.0.0.4', headers: { 'x-forwarded-for': '10.9.9.9' } });
    expect(reply.status).to.equal(503);
  });

  it('with one trusted hop takes the right-most X-Forwarded-For entry, not the client-written left-most', async () => {
    const app = await start({ trustProxy: 1, bypassIps: ['10.0.0.7'] });
    const passed = await app.send('/', { from: '127.0.0.5', headers: { 'x-forwarded-for': '10.0.0.66, 10.0.0.7' } });
    expect(passed.status).to.equal(200);
    expect(stateOf(passed.body).clientIp).to.equal('10.0.0.7');
    const spoofed = await app.send('/', { from: '127.0.0.5', headers: { 'x-forwarded-for': '10.0.0.7, 10.0.0.66' } });
    expect(spoofed.status).to.equal(503);
  });

  it('with two trusted hops takes the second entry from the right', async () => {
    const app = await start({ trustProxy: 2, bypassIps: ['198.51.100.1'] });
    const reply = await app.send('/', { from: '127.0.0.5', headers: { 'x-forwarded-for': '203.0.113.5, 198.51.100.1, 10.0.0.2' } });
    expect(reply.status).to.equal(200);
    expect(stateOf(reply.body).clientIp).to.equal('198.51.100.1');
  });

  it('trusts a proxy by address: only requests from the listed proxy may name the client', async () => {
    const app = await start({ trustProxy: '127.0.0.10', bypassIps: ['192.0.2.1'] });
    expect((await app.send('/', { from: '127.0.0.10', headers: { 'x-forwarded-for': '192.0.2.1' } })).status).to.equal(200);
    expect((await app.send('/', { from: '127.0.0.11', headers: { 'x-forwarded-for': '192.0.2.1' } })).status).to.equal(503);
  });

  it('walks past every trusted proxy in a CIDR list, stopping at the first untrusted hop', async () => {
    const app = await start({ trustProxy: ['loopback', '10.0.0.0/8'], bypassIps: ['192.0.2.1'] });
    const reply = await app.send('/', { from: '127.0.0.12', headers: { 'x-forwarded-for': '192.0.2.99, 192.0.2.1, 10.1.1.1, 10.2.2.2' } });
    expect(stateOf(reply.body).clientIp).to.equal('192.0.2.1');
    expect(reply.status).to.equal(200);
  });

  it('trusts through a function of (address, hop)', async () => {
    const app = await start({ trustProxy: (address, hop) => hop === 0 && address === '127.0.0.13', bypassIps: ['192.0.2.2'] });
    expect((await app.send('/', { from: '127.0.0.13', headers: { 'x-forwarded-for': '192.0.2.2' } })).status).to.equal(200);
    expect((await app.send('/', { from: '127.0.0.14', headers: { 'x-forwarded-for': '192.0.2.2' } })).status).to.equal(503);
  });

  it('fails closed when a trusted proxy forwards something that is not an address', async () => {
    const app = await start({ trustProxy: true, bypassIps: ['0.0.0.0/0', '::/0'] });
    const reply = await app.send('/', { from: '127.0.0.15', headers: { 'x-forwarded-for': 'unknown' } });
    expect(reply.status).to.equal(503);
  });

  it('fails closed when the trust function throws', async () => {
    const app = await start({ trustProxy: () => { throw new Error('boom'); }, bypassIps: ['0.0.0.0/0'] });
    expect((await app.send('/', { from: '127.0.0.16', headers: { 'x-forwarded-for': '1.2.3.4' } })).status).to.equal(503);
  });

  it('sees IPv4-mapped IPv6 peers of a dual-stack server as plain IPv4', async () => {
    const app = await start({ bypassIps: ['127.0.0.17'] }, '::');
    const reply = await app.send('/', { from: '127.0.0.17' });
    expect(stateOf(reply.body)).to.deep.equal({ active: true, reason: 'bypass-ip', clientIp: '127.0.0.17', mode: 'block' });
  });

  it('matches IPv6 peers against IPv6 ranges', async () => {
    const app = await start({ bypassIps: ['::1/128'] }, '::1');
    const reply = await app.send('/', { from: '::1' });
    expect(stateOf(reply.body)).to.deep.equal({ active: true, reason: 'bypass-ip', clientIp: '::1', mode: 'block' });
  });

  it('takes a hop only as net.isIP takes it: no zone id off link-local IPv6, no tab, as proxy-addr does', async () => {
    let seen: string | undefined;
    const app = await start({ trustProxy: ['loopback'], bypassIps: ['10.0.0.5', '10.0.0.66'], onDecision: (_ctx, decision) => (seen = decision.clientIp) });
    const table: [forwardedFor: string, status: number, clientIp: string | undefined][] = [
      ['10.0.0.66, 127.0.0.1%eth0', 503, undefined], // a zoned IPv4 hop is no loopback proxy: it is the client, and no address
      ['10.0.0.5%x', 503, undefined],
      ['1.1.1.1,\t10.0.0.5', 503, undefined],
      ['10.0.0.5', 200, '10.0.0.5'],
      ['fe80::1%eth0', 503, 'fe80::1'],
    ];
    for (const [forwardedFor, status, clientIp] of table) {
      const reply = await app.send('/', { from: '127.0.0.5', headers: { 'x-forwarded-for': forwardedFor } });
      expect(reply.status, forwardedFor).to.equal(status);
      expect(seen, forwardedFor).to.equal(clientIp);
    }
  });
});
