import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import { WebSocketServer } from 'ws';
import {
  maintenance, maintenanceBanner, type MaintenanceLogger, type MaintenanceMiddleware, type MaintenanceState, type UnleashLike,
} from '../src/index.js';

export const DEMO_FLAG = 'maintenance-mode';

/** Answers GET with the maintenance status as JSON, for front ends and status pages. */
export const DEMO_STATUS_PATH = '/maintenance.json';

/** Paths the demo keeps open during maintenance: the health check and the admin area. */
export const DEMO_ALLOWED_URLS: readonly RegExp[] = [/^\/healthz$/, /^\/admin(\/|$)/];

export interface DemoAppOptions {
  unleash: UnleashLike;
  flagName?: string;
  /** The Unleash environment the client's token is for, shown on the pages. */
  environment: string | undefined;
  /** The Unleash UI, linked from the pages. */
  unleashUiUrl: string;
  logger?: MaintenanceLogger;
}

/** The demo's Koa app and the gate in front of it, which also guards the live clock's WebSocket. */
export interface DemoApp {
  koa: Koa;
  gate: MaintenanceMiddleware;
}

/**
 * A tiny site behind `maintenance()`: a home page with a live clock, a checkout (`/checkout`, behind a default
 * `@koa/router`, for closing part of the site), `/healthz` and an `/admin/` area, both always open.
 */
export function createDemoApp(options: DemoAppOptions): DemoApp {
  const flagName = options.flagName ?? DEMO_FLAG;
  const app = new Koa();
  const gate = maintenance({
      unleash: options.unleash,
      flagName,
      allowedUrls: DEMO_ALLOWED_URLS,
      statusPath: DEMO_STATUS_PATH,
      retryAfter: 60,
      ...(options.logger ? { logger: options.logger } : {}),
  });
  app.use(gate);
  app.use(async (ctx, next) => {
    if (ctx.path === '/healthz') return health(ctx);
    if (ctx.path === '/admin') return ctx.redirect('/admin/');
    if (ctx.path === '/admin/') return page(ctx, adminPage(ctx, flagName, options));
    if (ctx.path === '/') return page(ctx, homePage(ctx, flagName, options));
    await next();
  });
  const checkout = checkoutRouter();
  app.use(checkout.routes());
  app.use(checkout.allowedMethods());
  return { koa: app, gate };
}

const CHECKOUT_STEPS: Readonly<Record<string, { title: string; body: string }>> = {
  payment: {
    title: 'Checkout: payment',
    body: `<form method="post" action="/checkout"><p>Card ending in 4242.</p><button type="submit">Place order</button></form>`,
  },
  done: { title: 'Checkout: thank you', body: '<p>Your order is placed. (Nothing is charged: this is a demo.)</p>' },
};

/**
 * The checkout, as apps route one: `GET /checkout`, `GET /checkout/:step`, `POST /checkout`, on a default
 * `@koa/router` (case-insensitive, trailing slash optional). `unleash-maintenance on --path /checkout` closes
 * all of it, in every spelling the router serves, and nothing else.
 */
function checkoutRouter(): Router {
  const router = new Router();
  router.get('/checkout', (ctx) => page(ctx, layout(ctx, 'Checkout', `<h1>Checkout</h1>
<p>One demo item in your basket: <strong>1 × Maintenance window, 0.00 €</strong>.</p>
<p><a id="to-payment" href="/checkout/payment">Continue to payment</a> · <a href="/">Back to the shop</a></p>`)));
  router.get('/checkout/:step', (ctx) => {
    const step = CHECKOUT_STEPS[(ctx.params.step ?? '').toLowerCase()];
    if (!step) return;
    page(ctx, layout(ctx, step.title, `<h1>${escape(step.title)}</h1>\n${step.body}\n<p><a href="/">Back to the shop</a></p>`));
  });
  router.post('/checkout', (ctx) => {
    ctx.status = 303;
    ctx.redirect('/checkout/done');
  });
  return router;
}

/**
 * The live clock: a WebSocket at `/clock` sending the time every second. Its upgrade passes the same gate as
 * the pages; once maintenance starts, the gate tells it, and it closes with 1013 (Try Again Later).
 */
function serveLiveClock(server: Server, gate: MaintenanceMiddleware): void {
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', gate.upgrade((req, socket, head) => {
    if (req.url !== '/clock') return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  }));
  wss.on('connection', (ws, req) => {
    const tick = setInterval(() => ws.send(new Date().toISOString().slice(11, 19)), 1_000);
    const unwatch = gate.watch(req, () => ws.close(1013, 'maintenance'));
    ws.on('close', () => {
      clearInterval(tick);
      unwatch();
    });
  });
  server.on('close', () => wss.close());
}

function health(ctx: Context): void {
  const state = ctx.state.maintenance as MaintenanceState | undefined;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { status: 'ok', maintenance: state?.active ?? false };
}

function page(ctx: Context, html: string): void {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
    ctx.status = 405;
    ctx.set('Allow', 'GET, HEAD');
    return;
  }
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'html';
  ctx.body = html;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

function environmentText(environment: string | undefined): string {
  return environment ? `the <code>${escape(environment)}</code> environment` : 'the environment of your API token';
}

const STYLE = `
  :root { color-scheme: light dark; --bg: #f6f7f9; --card: #fff; --text: #1d2433; --muted: #56607a; --accent: #3b5bdb; --warn: #b35c00; }
  @media (prefers-color-scheme: dark) { :root { --bg: #10131a; --card: #181c26; --text: #e8ebf2; --muted: #a3abc2; --accent: #8ea2ff; --warn: #ffb86b; } }
  * { box-sizing: border-box; }
  body { margin: 0; padding: 2rem 1.25rem; background: var(--bg); color: var(--text);
    font: 1rem/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
  main { max-width: 40rem; margin: 0 auto; padding: 2rem; border-radius: 1rem; background: var(--card);
    box-shadow: 0 1px 2px rgb(0 0 0 / 6%), 0 8px 32px rgb(0 0 0 / 8%); }
  h1 { margin-top: 0; line-height: 1.25; }
  a { color: var(--accent); }
  code { font-size: 0.95em; }
  .muted { color: var(--muted); }
  .banner, .maintenance-banner { padding: 0.75rem 1rem; border-radius: 0.5rem; border: 1px solid var(--warn); color: var(--warn); font-weight: 600; }
  ol li { margin: 0.4rem 0; }`;

/** Every page: the maintenance banner first (a part of the site closed now, a window ahead), then the body. */
function layout(ctx: Context, title: string, body: string): string {
  // Empty unless a scope is closed elsewhere or a scheduled window is within its notice time; already escaped.
  const banner = maintenanceBanner(ctx.state.maintenance as MaintenanceState | undefined, { lang: 'en' });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${banner}${body}
</main>
</body>
</html>
`;
}

function homePage(ctx: Context, flagName: string, options: DemoAppOptions): string {
  const ui = escape(options.unleashUiUrl);
  return layout(
    ctx,
    'Demo shop',
    `<h1>Demo shop</h1>
<p class="muted">Live clock over a WebSocket: <strong id="clock">connecting…</strong></p>
<p><a id="to-checkout" href="/checkout">Go to the checkout</a></p>
<script>
  const clock = document.getElementById('clock');
  const socket = new WebSocket(location.origin.replace(/^http/, 'ws') + '/clock');
  socket.onmessage = (event) => { clock.textContent = event.data + ' UTC'; };
  socket.onclose = (event) => { clock.textContent = 'stopped (' + event.code + (event.reason ? ' ' + event.reason : '') + ')'; };
</script>
<p>This page is served by a Koa app behind <code>maintenance()</code>. You are seeing it, so the flag
<code>${escape(flagName)}</code> is <strong>off</strong> for this page in ${environmentText(options.environment)}.</p>
<ol>
  <li>Open the Unleash UI at <a href="${ui}">${ui}</a> and sign in.</li>
  <li>Open the flag <code>${escape(flagName)}</code> and switch it on in ${environmentText(options.environment)}.</li>
  <li>Reload this page within a second or two: you get the 503 maintenance page.</li>
  <li>Meanwhile <a href="/admin/">/admin/</a> and <a href="/healthz">/healthz</a> stay open (they are in <code>allowedUrls</code>).</li>
</ol>
<p class="muted">A window scheduled ahead (<code>unleash-maintenance on --from 1m --until 3m</code>, see the terminal) is
announced here first, then turns into the maintenance page, then ends by itself. Its status, as a front end would
poll it: <a href="${DEMO_STATUS_PATH}">${DEMO_STATUS_PATH}</a>.</p>
<p class="muted">Part of the site can close alone: <code>unleash-maintenance on --path /checkout</code> closes the
<a href="/checkout">checkout</a> (503 there) while this page stays open and says so above; in the Unleash UI, a
strategy with the constraint <code>routePath</code> <em>starts with</em> <code>/checkout/</code>, case-insensitive.</p>`,
  );
}

function adminPage(ctx: Context, flagName: string, options: DemoAppOptions): string {
  const state = ctx.state.maintenance as MaintenanceState | undefined;
  const status = state?.active
    ? `<p class="banner">Maintenance is ON. Visitors get the 503 page; this area stays open because <code>/admin/</code> is in <code>allowedUrls</code>.</p>`
    : state?.closed?.length
      ? `<p>Maintenance is <strong>off</strong> here; part of the site is closed (see above).</p>`
      : `<p>Maintenance is <strong>off</strong>: the whole site is open.</p>`;
  return layout(
    ctx,
    'Demo shop: admin',
    `<h1>Admin area</h1>
${status}
<p class="muted">Flag <code>${escape(flagName)}</code> in ${environmentText(options.environment)}.
Switch it in the <a href="${escape(options.unleashUiUrl)}">Unleash UI</a>, then reload. <a href="/">Home</a></p>`,
  );
}

export interface RunningDemoApp {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Listens on `host:port` (0 for a free port). A taken port rejects with a message that says what to do. */
export async function listenDemoApp(app: DemoApp, host: string, port: number): Promise<RunningDemoApp> {
  const server = app.koa.listen({ host, port });
  serveLiveClock(server, app.gate);
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new Error(`Port ${port} on ${host} is already in use (or not allowed) for the demo app; choose another with --app-port N or APP_PORT=N.`);
    }
    throw error;
  }
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close() {
      closing ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
