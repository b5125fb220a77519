import Koa from 'koa';
import type { Unleash } from 'unleash-client';
import { bootstrappedUnleash, loadBuiltLibrary, SESSION_HEADER, type Variant } from './variants.js';

export const BODY = 'hello world';

/** The app of one variant: bare Koa answering a small text body, with the built middleware in front (B–G). */
export async function createApp(variant: Variant, override: { flag?: Variant['flag'] } = {}): Promise<{ app: Koa; unleash: Unleash }> {
  const { maintenance } = await loadBuiltLibrary();
  // Every variant, A included, holds a real bootstrapped client, so the processes differ only by the middleware.
  const unleash = await bootstrappedUnleash(override.flag ?? variant.flag);
  const app = new Koa();
  if (variant.middleware) {
    app.use(maintenance({
      unleash,
      ...(variant.bypassIps ? { bypassIps: variant.bypassIps } : {}),
      ...(variant.sessionFromHeader ? { context: (ctx) => ({ sessionId: ctx.get(SESSION_HEADER) || undefined }) } : {}),
    }));
  }
  app.use((ctx) => {
    ctx.body = BODY;
  });
  return { app, unleash };
}
