import { expect } from 'chai';
import { waitFor, type UnleashStack } from '../../dev/unleash/index.js';
import { MaintenanceControl } from '../../src/control/index.js';
import type { MaintenanceState, MaintenanceStatus } from '../../src/index.js';
import { readFeature } from '../support/admin-reader.js';
import { runCliProcess, type CliResult } from '../support/cli-process.js';
import { useSharedFlag } from '../support/flag-app.js';
import { uniqueFlagName } from '../support/flags.js';
import { createTestClient, waitUntilSynchronized, type TestClient } from '../support/server-client.js';
import { SHOP_STATUS_PATH, startShopApp, type ShopAnswer, type ShopApp, type ShopReply } from '../support/shop-app.js';

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
const ENV = 'production';

/** A shop (test/support/shop-app.ts) reading `flag` through a real client holding the production token. */
function useShop(flag: string) {
  let client: TestClient | undefined;
  let shop: ShopApp | undefined;
  const fixture = useSharedFlag({
    flag,
    async setUp(stack) {
      await stack.admin.createFlag(flag);
      client = createTestClient({ url: stack.url, token: stack.tokens.production });
      await waitUntilSynchronized(client);
      shop = await startShopApp({ unleash: client.unleash, flagName: flag });
    },
    async tearDown() {
      await shop?.close();
      client?.destroy();
    },
  });
  return {
    flag,
    get stack(): UnleashStack {
      return fixture.stack;
    },
    get shop(): ShopApp {
      if (!shop) throw new Error('the shop is not set up');
      return shop;
    },
    get client(): TestClient {
      if (!client) throw new Error('the client is not set up');
      return client;
    },
    control: () => new MaintenanceControl({ url: fixture.stack.url, token: fixture.stack.tokens.admin, flag }),
    cli: (args: string[]) => runCliProcess([...args, '--flag', flag], { UNLEASH_URL: fixture.stack.url, UNLEASH_ADMIN_TOKEN: fixture.stack.tokens.admin }),
  };
}

function answerOf(reply: ShopReply): ShopAnswer {
  expect(reply.status, reply.body).to.equal(200);
  return JSON.parse(reply.body) as ShopAnswer;
}

/** The names of the areas `ctx.state.maintenance.closed` lists. */
function closedNames(state: MaintenanceState | undefined): string[] {
  return (state?.closed ?? []).map((area) => area.scope.name);
}

function expectCliOk(result: CliResult): void {
  expect(result.code, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).to.equal(0);
}

/** Polls until `probe` holds, a bounded number of times: the client polls the server every 250 ms. */
function poll<T>(description: string, probe: () => Promise<T | undefined>, timeoutMs = 5 * SECOND): Promise<T> {
  return waitFor(probe, { description, timeoutMs, intervalMs: 100 });
}

describe('integration: closing part of the site (scopes) on the real unleash-server', function () {
  this.timeout(20_000);

  /**
   * `on --path /checkout` against a shop with a default @koa/router, a nested router and a koa-mount app: each
   * spelling a router serves from the checkout is closed, each page beside it stays open and says what is closed.
   */
  describe('a path scope: /checkout', function () {
    const fixture = useShop(uniqueFlagName('scope-path'));
    const until = new Date(Date.now() + HOUR);
    const message = 'Payments are being upgraded.';

    /**
     * Each request target and the handler that serves it while the site is open. Those served by `not-found`
     * reach no checkout route here (koa-mount is case-sensitive; @koa/router neither decodes nor merges slashes)
     * but would behind a router that does; the scope closes them too.
     */
    const CHECKOUT_SPELLINGS: readonly (readonly [method: string, target: string, servedBy: string])[] = [
      ['POST', '/checkout', 'checkout-submit'],
      ['POST', '/checkout/', 'checkout-submit'],
      ['GET', '/checkout', 'checkout'],
      ['GET', '/CHECKOUT', 'checkout'],
      ['GET', '/Checkout/Pay', 'checkout-step'],
      ['POST', 'http://shop.example.com/checkout/', 'checkout-submit'],
      ['GET', 'http://shop.example.com/Checkout', 'checkout'],
      ['GET', '/checkout/pay/card', 'checkout-pay-card'],
      ['POST', '/CHECKOUT/Pay/Card/', 'checkout-pay-card-submit'],
      ['GET', '/checkout/receipts/42', 'checkout-mount'],
      ['GET', '/Checkout/Receipts/42', 'not-found'],
      ['GET', '/checkout/pay?card=visa', 'checkout-step'],
      // A dot segment is a segment to these routers: `/checkout/:step` takes `..`, koa-mount `/%2e%2e/cart`.
      ['GET', '/checkout/..', 'checkout-step'],
      ['GET', '/checkout/%2e%2e', 'checkout-step'],
      ['GET', '/checkout/%2e%2e/cart', 'checkout-mount'],
      ['GET', '/%63heckout', 'not-found'],
      ['GET', '//checkout', 'not-found'],
    ];

    const OPEN_PAGES: readonly (readonly [target: string, servedBy: string])[] = [
      ['/', 'home'],
      ['/checkouts', 'checkouts'],
      ['/checkout-help', 'checkout-help'],
      ['/cart', 'cart'],
      ['/products/checkout', 'product'],
      ['/Products', 'products'],
    ];

    it('while the site is open, each spelling reaches the handler the table names', async function () {
      const { shop } = fixture;
      for (const [method, target, servedBy] of CHECKOUT_SPELLINGS) {
        const reply = await shop.request(method, target);
        expect(reply.headers['x-handler'], `${method} ${target}`).to.equal(servedBy);
      }
      for (const [target, servedBy] of OPEN_PAGES) {
        const answer = answerOf(await shop.request('GET', target));
        expect(answer.handler, target).to.equal(servedBy);
        expect(answer.state, target).to.deep.equal({ active: false, reason: 'off' });
      }
    });

    it('on --path /checkout: every spelling of the checkout gets the 503, and no handler runs', async function () {
      const { shop } = fixture;
      await fixture.control().enable(ENV, { scope: { paths: ['/checkout'] }, area: 'Checkout', title: 'Checkout closed', message, until });
      await untilBlocked(shop, 'POST', '/checkout');

      const hitsBefore = shop.hits.length;
      for (const [method, target] of CHECKOUT_SPELLINGS) {
        const reply = await shop.request(method, target);
        expect(reply.status, `${method} ${target}`).to.equal(503);
        expect(reply.headers['x-handler'], `${method} ${target}`).to.equal(undefined);
        expect(reply.headers['content-type'], `${method} ${target}`).to.equal('application/problem+json; charset=utf-8');
        expect(JSON.parse(reply.body), `${method} ${target}`).to.include({ status: 503, title: 'Checkout closed', detail: message, until: until.toISOString() });
      }
      expect(shop.hits.slice(hitsBefore), 'handlers reached while the checkout is closed').to.deep.equal([]);
    });

    it('pages beside it stay open and name the closed checkout in ctx.state.maintenance.closed and the banner', async function () {
      const { shop } = fixture;
      for (const [target, servedBy] of OPEN_PAGES) {
        const answer = answerOf(await shop.request('GET', target));
        expect(answer.handler, target).to.equal(servedBy);
        expect(answer.state, target).to.deep.include({ active: false, reason: 'off' });
        expect(answer.state?.closed, target).to.have.length(1);
        expect(answer.state?.closed?.[0], target).to.deep.include({
          scope: { paths: ['/checkout'], hosts: [], name: 'Checkout' },
          until: until.toISOString(),
          title: 'Checkout closed',
          message,
        });
        expect(answer.state?.closed?.[0]?.announcement.en, target).to.match(/^Checkout is closed for maintenance until \w+day \d{1,2} \w+(?:,| at) \d\d:\d\d UTC\. Payments are being upgraded\.$/);
        expect(answer.banner, target).to.equal(`<p class="maintenance-banner" role="status" lang="en">${answer.state?.closed?.[0]?.announcement.en}</p>`);
      }
      // A write beside the checkout passes too.
      expect((await shop.request('POST', '/cart')).headers['x-handler']).to.equal('cart-add');
    });

    it('the status endpoint answers for ?path= as for a request there, and never reaches a handler', async function () {
      const { shop } = fixture;
      const hitsBefore = shop.hits.length;
      const status = async (query: string, expected = 200): Promise<MaintenanceStatus> => {
        const reply = await shop.request('GET', `${SHOP_STATUS_PATH}${query}`);
        expect(reply.status, query).to.equal(expected);
        expect(reply.headers['cache-control'], query).to.equal('no-store');
        expect(reply.headers['x-handler'], query).to.equal(undefined);
        return JSON.parse(reply.body) as MaintenanceStatus;
      };
      const closed = [{ paths: ['/checkout'], hosts: [], name: 'Checkout', until: until.toISOString(), title: 'Checkout closed', message }];

      expect(await status('?path=/checkout')).to.deep.equal({ path: '/checkout', active: true, mode: 'block', until: until.toISOString(), title: 'Checkout closed', message });
      expect(await status('?path=/CHECKOUT/Pay')).to.include({ path: '/CHECKOUT/Pay', active: true, title: 'Checkout closed' });
      expect(await status('?path=%2Fcheckout%2Fpay%2Fcard')).to.include({ path: '/checkout/pay/card', active: true });
      expect(await status('')).to.deep.equal({ active: false, mode: 'block', closed });
      expect(await status('?path=/products')).to.deep.equal({ path: '/products', active: false, mode: 'block', closed });
      expect(await status('?path=/checkouts')).to.include({ active: false });
      for (const bad of ['?path=x', '?path=checkout', '?path=/checkout%3Fx=1', '?path=/a&path=/b']) {
        expect(await status(bad, 400), bad).to.have.property('error');
      }
      expect(shop.hits.slice(hitsBefore), 'handlers reached by status requests').to.deep.equal([]);
    });
  });

  /**
   * Scopes by host name and by a property of the app's `context(ctx)`, beside a path scope and a scheduled one,
   * written through the command (`on --host`) and MaintenanceControl, read back by `status` and `status --json`.
   */
  describe('host and property scopes, beside a path scope and a scheduled one', function () {
    const fixture = useShop(uniqueFlagName('scope-host'));
    const now = Date.now();
    const checkoutUntil = new Date(now + HOUR);
    const cartFrom = new Date(now + HOUR);
    const cartUntil = new Date(now + 2 * HOUR);

    before(async function () {
      this.timeout(30_000);
      expectCliOk(await fixture.cli(['on', '-e', ENV, '--host', 'API.example.com', '--until', '2h', '--title', 'API paused']));
      const control = fixture.control();
      await control.enable(ENV, { scope: { properties: { tenant: 'acme' } }, title: 'Your shop is moving' });
      await control.enable(ENV, { scope: { paths: ['/checkout'] }, area: 'Checkout', until: checkoutUntil });
      await control.enable(ENV, { scope: { paths: ['/cart'] }, area: 'Cart', from: cartFrom, until: cartUntil, notice: '2h' });
      const { unleash } = fixture.client;
      await poll('the client to see the four scopes', async () => (unleash.getFeatureToggleDefinition(fixture.flag)?.strategies?.length === 4 ? true : undefined));
    });

    const get = (target: string, host: string, tenant?: string) =>
      fixture.shop.request('GET', target, { host, ...(tenant ? { 'x-tenant': tenant } : {}) });

    it('--host api.example.com closes that host however it is spelled, and no other', async function () {
      for (const host of ['api.example.com', 'API.example.com.:8080', 'Api.Example.Com:443']) {
        const reply = await get('/products', host, 'globex');
        expect(reply.status, host).to.equal(503);
        expect(JSON.parse(reply.body), host).to.include({ title: 'API paused' });
      }
      for (const host of ['shop.example.com', 'api.example.com.evil.test', 'example.com']) {
        expect((await get('/products', host, 'globex')).headers['x-handler'], host).to.equal('products');
      }
    });

    it('--property tenant=acme closes acme everywhere; globex stays open and never sees acme', async function () {
      for (const target of ['/', '/products', '/cart']) {
        const reply = await get(target, 'shop.example.com', 'acme');
        expect(reply.status, target).to.equal(503);
        expect(JSON.parse(reply.body), target).to.include({ title: 'Your shop is moving' });
      }
      for (const tenant of ['globex', 'ACME', undefined]) {
        const answer = answerOf(await get('/products', 'shop.example.com', tenant));
        expect(answer.handler, String(tenant)).to.equal('products');
        // The checkout is closed for everyone, the cart's window is announced; acme's and the API host's scopes are not this visitor's.
        expect(closedNames(answer.state), String(tenant)).to.deep.equal(['Checkout']);
        expect(answer.state?.upcoming, String(tenant)).to.deep.include({ scope: { paths: ['/cart'], hosts: [], name: 'Cart' }, from: cartFrom.toISOString(), until: cartUntil.toISOString() });
        expect(answer.banner, String(tenant)).to.match(/^<p [^>]*>Checkout is closed for maintenance until [^<]+ UTC\.<\/p><p [^>]*>Scheduled maintenance of Cart on [^<]+ UTC\.<\/p>$/);
        expect(JSON.stringify(answer), String(tenant)).not.to.match(/acme|moving|api\.example|API paused/);
      }
      expect((await get('/checkout', 'shop.example.com', 'globex')).status).to.equal(503);
      const status = JSON.parse((await get(SHOP_STATUS_PATH, 'shop.example.com', 'globex')).body) as MaintenanceStatus;
      expect(status.closed?.map((area) => area.name)).to.deep.equal(['Checkout']);
      expect(JSON.stringify(status)).not.to.match(/acme|moving/);
    });

    it('status and status --json list each scope with its window', async function () {
      const expected = [
        { description: 'api.example.com', scope: { paths: [], hosts: ['api.example.com'], properties: {} }, state: 'on', from: null, title: 'API paused' },
        { description: 'tenant acme', scope: { paths: [], hosts: [], properties: { tenant: ['acme'] } }, state: 'on', from: null, until: null },
        { description: '/checkout', scope: { paths: ['/checkout'], hosts: [], properties: {} }, state: 'on', from: null, until: checkoutUntil.toISOString(), area: 'Checkout' },
        { description: '/cart', scope: { paths: ['/cart'], hosts: [], properties: {} }, state: 'scheduled', from: cartFrom.toISOString(), until: cartUntil.toISOString(), notice: 7_200, area: 'Cart' },
      ];
      const [environment] = (await fixture.control().status(ENV)).environments;
      expect(environment).to.include({ environment: ENV, enabled: true, state: 'on' });
      expect(environment?.scopes).to.have.length(4);
      expected.forEach((scope, index) => expect(environment?.scopes[index], scope.description).to.deep.include(scope));
      expect(environment?.scopes[0]?.until).to.be.a('string');

      const json = await fixture.cli(['status', '-e', ENV, '--json']);
      expectCliOk(json);
      expect(JSON.parse(json.stdout).environments[0].scopes).to.deep.equal(environment?.scopes);

      const text = await fixture.cli(['status', '-e', ENV]);
      expectCliOk(text);
      expect(text.stdout).to.match(/production\s+on \(4 scopes\)/);
      expect(text.stdout).to.match(/\/checkout: on \(until [^)]+\)/).and.to.match(/\/cart: scheduled \(starts at [^)]+\)/).and.to.contain('tenant acme: on');
    });
  });

  /**
   * Two overlapping windows, both written with `enable()` and nothing after it: `/checkout` from now for 5 s,
   * `/cart` from 3 s to 8 s. Each starts and ends by itself; requests are sampled throughout, and each answer
   * must match the windows at every moment between its request and its answer.
   */
  describe('two scopes with overlapping windows start and end by themselves', function () {
    const flag = uniqueFlagName('scope-windows');
    const fixture = useShop(flag);

    it('closes the checkout, then both, then the cart, then neither', async function () {
      this.timeout(25_000);
      const control = fixture.control();
      const start = Date.now();
      const checkoutUntil = start + 5 * SECOND;
      const cartFrom = start + 3 * SECOND;
      const cartUntil = start + 8 * SECOND;
      await control.enable(ENV, { scope: { paths: ['/checkout'] }, area: 'Checkout', until: new Date(checkoutUntil) });
      await control.enable(ENV, { scope: { paths: ['/cart'] }, area: 'Cart', from: new Date(cartFrom), until: new Date(cartUntil) });
      const { unleash } = fixture.client;
      await poll('the client to see both windows', async () => (unleash.getFeatureToggleDefinition(flag)?.strategies?.length === 2 ? true : undefined));
      expect(Date.now(), 'the set-up ended before the cart window starts').to.be.below(cartFrom - 500);

      const [environment] = (await control.status(ENV)).environments;
      expect(environment?.scopes.map(({ description, state, from, until: end }) => ({ description, state, from, until: end }))).to.deep.equal([
        { description: '/checkout', state: 'on', from: null, until: new Date(checkoutUntil).toISOString() },
        { description: '/cart', state: 'scheduled', from: new Date(cartFrom).toISOString(), until: new Date(cartUntil).toISOString() },
      ]);

      interface Sample { sent: number; answered: number; checkout: number; cart: number; closed: string[]; upcoming: string | undefined }
      const samples: Sample[] = [];
      const deadline = cartUntil + 1_500;
      while (Date.now() < deadline) {
        const sent = Date.now();
        const [checkout, cart, products] = await Promise.all([
          fixture.shop.request('GET', '/checkout/pay/card'),
          fixture.shop.request('POST', '/cart'),
          fixture.shop.request('GET', '/products'),
        ]);
        const answered = Date.now();
        const state = answerOf(products).state;
        samples.push({ sent, answered, checkout: checkout.status, cart: cart.status, closed: closedNames(state), upcoming: state?.upcoming?.scope?.name });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      /** What a window must show for a sample: `before`/`after` when the sample lies wholly on one side of `edge`. */
      const side = (sample: Sample, edge: number): 'before' | 'after' | 'either' => (sample.answered < edge ? 'before' : sample.sent >= edge ? 'after' : 'either');
      for (const sample of samples) {
        const at = `${sample.sent - start}–${sample.answered - start} ms`;
        const checkoutSide = side(sample, checkoutUntil);
        const cartStart = side(sample, cartFrom);
        const cartEnd = side(sample, cartUntil);
        const checkoutClosed = checkoutSide === 'either' ? undefined : checkoutSide === 'before';
        const cartClosed = cartStart === 'before' ? false : cartStart === 'either' || cartEnd === 'either' ? undefined : cartEnd === 'before';
        if (checkoutClosed !== undefined) expect(sample.checkout, `checkout at ${at}`).to.equal(checkoutClosed ? 503 : 200);
        if (cartClosed !== undefined) expect(sample.cart, `cart at ${at}`).to.equal(cartClosed ? 503 : 200);
        if (checkoutClosed !== undefined && cartClosed !== undefined) {
          expect(sample.closed, `closed at ${at}`).to.deep.equal([...(checkoutClosed ? ['Checkout'] : []), ...(cartClosed ? ['Cart'] : [])]);
          expect(sample.upcoming, `upcoming at ${at}`).to.equal(cartStart === 'before' ? 'Cart' : undefined);
        }
      }
      const phases = samples.map((sample) => `${sample.checkout === 503 ? 'C' : '-'}${sample.cart === 503 ? 'K' : '-'}`);
      const distinct = phases.filter((phase, index) => phase !== phases[index - 1]);
      expect(distinct, 'checkout only, both, cart only, neither').to.deep.equal(['C-', 'CK', '-K', '--']);
    });
  });

  /** `off` of one scope removes only its strategy; `off` of the last switches the flag off. */
  describe('off of one scope, then of the last', function () {
    const flag = uniqueFlagName('scope-off');
    const fixture = useShop(flag);

    it('reopens the checkout while the cart stays closed, then switches the flag off', async function () {
      this.timeout(25_000);
      const { shop } = fixture;
      const control = fixture.control();
      await control.enable(ENV, { scope: { paths: ['/checkout'] }, area: 'Checkout' });
      await control.enable(ENV, { scope: { paths: ['/cart'] }, area: 'Cart' });
      await untilBlocked(shop, 'GET', '/cart');
      await untilBlocked(shop, 'GET', '/checkout');

      const [afterCheckout] = await control.disable(ENV, { scope: { paths: ['/Checkout/'] } });
      expect(afterCheckout).to.include({ enabled: true, state: 'on' });
      expect(afterCheckout?.scopes.map((scope) => scope.description)).to.deep.equal(['/cart']);
      const reopened = await poll('the checkout to reopen', async () => {
        const reply = await shop.request('GET', '/checkout');
        return reply.status === 200 ? answerOf(reply) : undefined;
      });
      expect(reopened.handler).to.equal('checkout');
      expect(closedNames(reopened.state)).to.deep.equal(['Cart']);
      expect((await shop.request('POST', '/cart')).status).to.equal(503);
      expect((await shop.request('GET', '/cart/')).status).to.equal(503);

      expectCliOk(await fixture.cli(['off', '-e', ENV, '--path', '/cart']));
      const status = await control.status(ENV);
      expect(status.environments[0]).to.include({ enabled: false, state: 'off' });
      expect(status.environments[0]?.scopes).to.deep.equal([]);
      const stored = await readFeature(fixture.stack.url, fixture.stack.tokens.admin, flag);
      const production = stored?.environments.find((environment) => environment.name === ENV);
      expect(production).to.deep.include({ enabled: false });
      expect(production?.strategies ?? []).to.deep.equal([]);
      const open = await poll('the cart to reopen', async () => {
        const reply = await shop.request('GET', '/cart');
        return reply.status === 200 ? answerOf(reply) : undefined;
      });
      expect(open.state).to.deep.equal({ active: false, reason: 'off' });
      expect((await shop.request('GET', '/checkout')).status).to.equal(200);
    });
  });
});

function untilBlocked(shop: ShopApp, method: string, target: string): Promise<true> {
  return poll(`${method} ${target} to get the 503`, async () => ((await shop.request(method, target)).status === 503 ? true : undefined));
}
