import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Koa from 'koa';
import type { Unleash } from 'unleash-client';
import { realUnleash } from '../test/support/unleash.js';
import { BENCH_CLIENT, loadBuiltLibrary, SESSION_HEADER, variantByName, type Variant } from './variants.js';

export const BODY = 'hello world';

/** The app of one variant: bare Koa answering a small text body, with the built middleware in front (B–G). */
export async function createApp(variant: Variant, override: { flag?: Variant['flag'] } = {}): Promise<{ app: Koa; unleash: Unleash }> {
  const { maintenance } = await loadBuiltLibrary();
  // Every variant, A included, holds a real bootstrapped client, so the processes differ only by the middleware.
  const unleash = await realUnleash([override.flag ?? variant.flag], BENCH_CLIENT);
  const app = new Koa();
  if (variant.middleware) {
    app.use(maintenance({
      unleash,
      ...(variant.bypassIps ? { bypassIps: variant.bypassIps } : {}),
      ...(variant.allowedUrls ? { allowedUrls: variant.allowedUrls } : {}),
      ...(variant.sessionFromHeader ? { context: (ctx) => ({ sessionId: ctx.get(SESSION_HEADER) || undefined }) } : {}),
    }));
  }
  if (variant.replays) {
    const answer = await answerOf(variantByName(variant.replays));
    app.use((ctx) => {
      ctx.status = answer.status;
      ctx.set(answer.headers);
      ctx.body = answer.body;
    });
    return { app, unleash };
  }
  app.use((ctx) => {
    ctx.body = BODY;
  });
  return { app, unleash };
}

/** What another variant's middleware answers to its requests: status, headers and body, taken once. */
async function answerOf(variant: Variant): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { app, unleash } = await createApp(variant);
  const req = new IncomingMessage({ remoteAddress: '127.0.0.1', encrypted: false } as unknown as Socket);
  req.method = 'GET';
  req.url = variant.path ?? '/';
  req.headers = { host: '127.0.0.1', ...variant.headers };
  const ctx = app.createContext(req, new ServerResponse(req));
  await app.middleware[0]!(ctx, () => Promise.resolve());
  unleash.destroy();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.response.headers)) if (name !== 'content-length') headers[name] = String(value);
  return { status: ctx.status, headers, body: String(ctx.body) };
}
