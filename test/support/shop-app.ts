import { once } from 'node:events';
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import mount from 'koa-mount';
import { maintenance, maintenanceBanner, type MaintenanceOptions, type MaintenanceState, type UnleashLike } from '../../src/index.js';

/** The shop's status endpoint (`statusPath`). */
export const SHOP_STATUS_PATH = '/maintenance.json';

/** What an open page answers to a client that does not ask for HTML. */
export interface ShopAnswer {
  handler: string;
  path: string;
  state: MaintenanceState | undefined;
  banner: string;
}

export interface ShopReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ShopApp {
  url: string;
  port: number;
  /**
   * One request with the target exactly as given (absolute form, `//checkout`, `/%63heckout`: Node's client
   * does not normalise it), a fresh connection each, `Accept: application/json` unless `headers` say otherwise.
   */
  request(method: string, target: string, headers?: OutgoingHttpHeaders): Promise<ShopReply>;
  /** The handlers reached, in order: a request the gate answered (a 503, the status) adds nothing. */
  readonly hits: string[];
  close(): Promise<void>;
}

export interface ShopAppOptions {
  unleash: UnleashLike;
  flagName: string;
  /** Further middleware options; the shop sets `statusPath` and a silent logger. */
  options?: Omit<MaintenanceOptions, 'unleash' | 'flagName'>;
}

/**
 * A shop as apps write one: `maintenance()` in front, then a default `@koa/router` with the checkout routes
 * (`GET /checkout`, `POST /checkout`, `GET /checkout/:step`), a nested router with the prefix `/checkout`, a
 * `koa-mount('/checkout', …)` app for deeper pages, and the open pages around them (`/`, `/products/:name`,
 * `/cart`, `/checkouts`, `/checkout-help`). Every handler names itself in `X-Handler` and in `hits`; it answers
 * HTML with the banner to browsers, else JSON with `ctx.state.maintenance`. The app's `context(ctx)` gives
 * the Unleash context the property `tenant` from `X-Tenant`.
 */
export async function startShopApp({ unleash, flagName, options = {} }: ShopAppOptions): Promise<ShopApp> {
  const hits: string[] = [];
  const app = new Koa();
  app.use(maintenance({
    logger: { warn() {}, error() {} },
    statusPath: SHOP_STATUS_PATH,
    context: (ctx) => ({ properties: { tenant: ctx.get('x-tenant') || undefined } }),
    ...options,
    unleash,
    flagName,
  }));

  const handler = (name: string, heading: string) => (ctx: Context) => {
    hits.push(name);
    ctx.set('X-Handler', name);
    ctx.set('Cache-Control', 'no-store');
    const state = ctx.state.maintenance as MaintenanceState | undefined;
    const banner = maintenanceBanner(state, { lang: 'en' });
    if (ctx.accepts('json', 'html') === 'html') {
      ctx.type = 'html';
      ctx.body = page(heading, banner);
    } else {
      ctx.body = { handler: name, path: ctx.path, state, banner } satisfies ShopAnswer;
    }
  };

  const router = new Router();
  router.get('/', handler('home', 'Demo shop'));
  router.get('/products', handler('products', 'Products'));
  router.get('/products/:name', handler('product', 'A product'));
  router.get('/cart', handler('cart', 'Your cart'));
  router.post('/cart', handler('cart-add', 'Added to your cart'));
  router.get('/checkouts', handler('checkouts', 'Past checkouts'));
  router.get('/checkout-help', handler('checkout-help', 'Help with the checkout'));
  router.get('/checkout', handler('checkout', 'Checkout'));
  router.post('/checkout', handler('checkout-submit', 'Order placed'));
  router.get('/checkout/:step', handler('checkout-step', 'Checkout step'));

  const payment = new Router({ prefix: '/checkout' });
  payment.get('/pay/card', handler('checkout-pay-card', 'Pay by card'));
  payment.post('/pay/card', handler('checkout-pay-card-submit', 'Paid'));
  router.use(payment.routes());

  const receipts = new Koa();
  receipts.use(handler('checkout-mount', 'Receipt'));

  app.use(router.routes());
  app.use(router.allowedMethods());
  app.use(mount('/checkout', receipts));
  app.use((ctx) => {
    hits.push('not-found');
    ctx.set('X-Handler', 'not-found');
    ctx.status = 404;
    ctx.body = 'not found';
  });

  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    request: (method, target, headers = {}) => sendTo(port, method, target, headers),
    async close() {
      if (!server.listening) return;
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

function sendTo(port: number, method: string, target: string, headers: OutgoingHttpHeaders, timeoutMs = 5_000): Promise<ShopReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path: target, agent: false, timeout: timeoutMs, headers: { accept: 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${target.slice(0, 80)} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

function page(heading: string, banner: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${heading}</title></head>
<body>
${banner}
<h1>${heading}</h1>
<p><a id="to-products" href="/products">Products</a> · <a id="to-cart" href="/cart">Cart</a> · <a id="to-checkout" href="/checkout">Checkout</a></p>
</body>
</html>
`;
}
