import { expect } from 'chai';
import request from 'supertest';
import { resolveMaintenanceWindow } from '../../src/control/maintenance-window.js';
import { strategyFor } from '../../src/control/strategy.js';
import type { EnableOptions } from '../../src/control/types.js';
import { maintenanceBanner, type MaintenanceState } from '../../src/index.js';
import { appWith } from '../support/app.js';
import { destroyUnleashClients, FLAG, flag, realUnleash } from '../support/unleash.js';

/** The strategies `unleash-maintenance on` writes for each set of options, on one flag, as the client API serves them. */
function scopedFlag(...windows: EnableOptions[]) {
  const strategies = windows.map((options) => {
    const { name, parameters, constraints, variants } = strategyFor(FLAG, resolveMaintenanceWindow(options, new Date()));
    return { name, parameters, constraints, variants };
  });
  return flag(true, { strategies });
}

const inAnHour = new Date(Date.now() + 3_600_000);
const untilText = (lang: 'en', until: Date) =>
  new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }).format(until);

describe('scoped maintenance in the middleware', function () {
  after(destroyUnleashClients);

  async function appFor(windows: EnableOptions[], extra: Parameters<typeof appWith>[0] extends infer O ? Partial<O> : never = {}) {
    const unleash = await realUnleash([scopedFlag(...windows)]);
    return request(appWith({ unleash, statusPath: '/maintenance.json', context: (ctx) => ({ properties: { tenant: ctx.get('x-tenant') || undefined } }), ...extra }).callback());
  }
  const stateOf = (reply: request.Response) => (reply.body as { maintenance: MaintenanceState }).maintenance;

  it('closes the area, and tells open pages what is closed and until when, in every shipped language', async function () {
    const app = await appFor([{ scope: { paths: ['/checkout'] }, until: inAnHour, area: 'Checkout', message: 'Payments are being upgraded.' }]);
    expect((await app.post('/checkout/')).status).to.equal(503);
    expect((await app.get('/CHECKOUT/pay')).status).to.equal(503);
    const open = await app.get('/products');
    expect(open.status).to.equal(200);
    const state = stateOf(open);
    expect(state).to.include({ active: false, reason: 'off' });
    expect(state.closed).to.have.length(1);
    expect(state.closed![0]).to.deep.include({ scope: { paths: ['/checkout'], hosts: [], name: 'Checkout' }, message: 'Payments are being upgraded.' });
    expect(state.closed![0]!.announcement.en).to.equal(`Checkout is closed for maintenance until ${untilText('en', inAnHour)} UTC. Payments are being upgraded.`);
    expect(state.closed![0]!.announcement.de).to.match(/^Checkout ist wegen Wartungsarbeiten geschlossen bis .+ UTC\. Payments/);
    expect(maintenanceBanner(state, { lang: 'fr' })).to.match(/^<p class="maintenance-banner" role="status" lang="fr">Checkout : fermé pour maintenance jusqu’au .+ UTC\. Payments are being upgraded\.<\/p>$/);
  });

  it('names the paths and hosts when no area is given, and leaves the banner empty when nothing is closed', async function () {
    const app = await appFor([{ scope: { paths: ['/checkout', '/cart'] } }]);
    const state = stateOf(await app.get('/'));
    expect(state.closed![0]!.announcement.en).to.equal('/checkout, /cart is closed for maintenance.');
    const none = await appFor([{ scope: { paths: ['/checkout'] }, from: '2d', notice: '1h' }]);
    const quiet = stateOf(await none.get('/'));
    expect(quiet).to.deep.equal({ active: false, reason: 'off' });
    expect(maintenanceBanner(quiet)).to.equal('');
  });

  it('closes a host in any spelling of Host; its closed paths show on that host\'s other pages only', async function () {
    const app = await appFor([{ scope: { hosts: ['api.example.com'] } }, { scope: { hosts: ['shop.example.com'], paths: ['/checkout'] } }]);
    expect((await app.get('/v1/orders').set('Host', 'API.Example.com.:8080')).status).to.equal(503);
    expect((await app.get('/checkout').set('Host', 'shop.example.com')).status).to.equal(503);
    const shop = await app.get('/').set('Host', 'Shop.example.com');
    expect(shop.status).to.equal(200);
    // Hosts and property values say whom a scope closes, paths where: a page sees the paths closed to it.
    expect(stateOf(shop).closed!.map((area) => area.announcement.en)).to.deep.equal(['/checkout is closed for maintenance.']);
    const other = await app.get('/checkout').set('Host', 'blog.example.com');
    expect(other.status).to.equal(200);
    expect(stateOf(other)).to.deep.equal({ active: false, reason: 'off' });
  });

  it('closes a tenant; another tenant is open and never sees it, the same tenant sees its closed paths', async function () {
    const app = await appFor([{ scope: { properties: { tenant: 'acme' } } }, { scope: { paths: ['/checkout'], properties: { tenant: 'globex' } }, area: 'Checkout' }]);
    expect((await app.get('/').set('x-tenant', 'acme')).status).to.equal(503);
    const initech = await app.get('/').set('x-tenant', 'initech');
    expect(stateOf(initech)).to.deep.equal({ active: false, reason: 'off' });
    const globex = await app.get('/products').set('x-tenant', 'globex');
    expect(stateOf(globex).closed!.map((area) => area.scope.name)).to.deep.equal(['Checkout']);
    expect((await app.get('/checkout').set('x-tenant', 'globex')).status).to.equal(503);
    expect((await app.get('/checkout').set('x-tenant', 'initech')).status).to.equal(200);
  });

  it('announces a scope\'s scheduled window on every page of its hosts during its notice time, naming its area', async function () {
    const app = await appFor([{ scope: { paths: ['/checkout'] }, from: '30m', until: '90m', notice: '1h', area: 'Checkout' }]);
    const state = stateOf(await app.get('/products'));
    expect(state.upcoming?.scope).to.deep.equal({ paths: ['/checkout'], hosts: [], name: 'Checkout' });
    expect(state.upcoming?.announcement.en).to.match(/^Scheduled maintenance of Checkout on .+ UTC\.$/);
    expect(state.upcoming?.announcement.de).to.match(/^Geplante Wartungsarbeiten an Checkout am /);
    expect(stateOf(await app.get('/checkout')).upcoming?.scope?.name).to.equal('Checkout');
    const tenantOnly = await appFor([{ scope: { properties: { tenant: 'acme' } }, from: '30m', notice: '1h' }]);
    expect(stateOf(await tenantOnly.get('/').set('x-tenant', 'acme')).upcoming?.announcement.en).to.match(/^Scheduled maintenance on /);
    expect(stateOf(await tenantOnly.get('/').set('x-tenant', 'globex')).upcoming).to.equal(undefined);
  });

  it('two scopes at once each keep their own window and texts', async function () {
    const app = await appFor([
      { scope: { paths: ['/checkout'] }, until: inAnHour, title: 'Checkout closed' },
      { scope: { paths: ['/cart'] }, message: 'Cart is being rebuilt.' },
    ]);
    const checkout = await app.get('/checkout').set('Accept', 'application/json');
    expect(checkout.status).to.equal(503);
    expect(checkout.body).to.include({ title: 'Checkout closed' });
    const cart = await app.get('/cart').set('Accept', 'application/json');
    expect(cart.body).to.include({ detail: 'Cart is being rebuilt.' });
    expect(stateOf(await app.get('/')).closed).to.have.length(2);
  });

  describe('the status endpoint', function () {
    it('lists the scopes closed now, and answers ?path= for that path, for the same client, letting nothing through', async function () {
      const app = await appFor([{ scope: { paths: ['/checkout'] }, until: inAnHour, area: 'Checkout', title: 'Checkout closed' }], { retryAfter: 60 });
      const own = await app.get('/maintenance.json');
      expect(own.status).to.equal(200);
      expect(own.body).to.deep.equal({ active: false, mode: 'block', closed: [{ paths: ['/checkout'], hosts: [], name: 'Checkout', until: inAnHour.toISOString(), title: 'Checkout closed' }] });
      const asked = await app.get('/maintenance.json?path=/CHECKOUT/pay');
      expect(asked.headers['cache-control']).to.equal('no-store');
      expect(asked.body).to.deep.include({ path: '/CHECKOUT/pay', active: true, mode: 'block', title: 'Checkout closed', until: inAnHour.toISOString() });
      expect((await app.get('/maintenance.json?path=%2Fcheckout')).body).to.include({ active: true });
      expect((await app.get('/maintenance.json?path=/products')).body).to.include({ path: '/products', active: false });
      expect((await app.head('/maintenance.json?path=/checkout')).status).to.equal(200);
    });

    it('answers 400 to a path it cannot read, and leaves the question to the gate for other methods', async function () {
      const app = await appFor([{ scope: { paths: ['/checkout'] } }]);
      for (const query of ['path=checkout', 'path=/a&path=/b', 'path=', `path=/${'a'.repeat(2048)}`, 'path=/a%3Fb']) {
        const reply = await app.get(`/maintenance.json?${query}`);
        expect(reply.status, query).to.equal(400);
        expect(reply.body.error, query).to.match(/^path must be one path starting with "\/"/);
        expect(reply.body, query).not.to.have.property('route');
      }
      expect((await app.get('/maintenance.json?other=1')).body).to.include({ active: false });
    });
  });
});
