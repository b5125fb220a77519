import type { Context } from 'koa';
import type { Context as UnleashContext } from 'unleash-client';
import type { Report } from './reporter.js';

export type ContextBuilder = (ctx: Context, clientIp: string | undefined) => UnleashContext;

/**
 * The Unleash context of a request: `remoteAddress` is the resolved client IP (plain IPv4 for mapped
 * addresses, so the remoteAddress strategy matches), `properties` has path, method and hostname. The app's
 * `context(ctx)` is merged over that, its `properties` over ours. If it throws, the defaults are used.
 */
export function createContextBuilder(extra: ((ctx: Context) => Partial<UnleashContext>) | undefined, report: Report): ContextBuilder {
  return function buildContext(ctx, clientIp) {
    const base: UnleashContext = {
      remoteAddress: clientIp,
      properties: { path: ctx.path, method: ctx.method, hostname: ctx.hostname },
    };
    if (!extra) return base;
    let added: Partial<UnleashContext> | undefined;
    try {
      added = extra(ctx);
    } catch (error) {
      report('error', 'context', 'the context(ctx) option threw; using the default Unleash context', error);
      return base;
    }
    if (!added || typeof added !== 'object') return base;
    return { ...base, ...added, properties: { ...base.properties, ...added.properties } } as UnleashContext;
  };
}
