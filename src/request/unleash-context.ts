import type { Context } from 'koa';
import type { Context as UnleashContext } from 'unleash-client';
import { ROUTE_PATH_FIELD, routePathOf } from '../flag/scope.js';
import type { HostnameReader } from './hostname.js';

/** `clientIp` and `path` are the request's, each `undefined` when unknown. */
export type ContextBuilder = (ctx: Context, clientIp: string | undefined, path: string | undefined) => UnleashContext;

export interface ContextBuilderOptions {
  /** The app's `context(ctx)` option. */
  extra: ((ctx: Context) => Partial<UnleashContext>) | undefined;
  readHostname: HostnameReader;
  /** Told when the app's `context(ctx)` throws; the defaults are used then. */
  onContextError: (error: unknown) => void;
}

/**
 * The Unleash context of a request, holding nothing a client can forge past the trust setting: `remoteAddress`
 * is the resolved client IP (plain IPv4 for mapped addresses, so the remoteAddress strategy matches);
 * `properties` has `path` (raw, as rules and routers see it), `routePath` (what path scopes match, see
 * `routePathOf`), `method` and `hostname` (see `hostname.ts`), each `undefined` when it cannot be read. The app's `context(ctx)` is merged over that, its `properties` over ours.
 * If it throws, the defaults are used.
 */
export function createContextBuilder(options: ContextBuilderOptions): ContextBuilder {
  const { extra, readHostname, onContextError } = options;
  return function buildContext(ctx, clientIp, path) {
    const base: UnleashContext = {
      remoteAddress: clientIp,
      properties: {
        path,
        [ROUTE_PATH_FIELD]: path === undefined ? undefined : routePathOf(path),
        method: ctx.method,
        hostname: readHostname(ctx.req),
      },
    };
    if (!extra) return base;
    let added: Partial<UnleashContext> | undefined;
    try {
      added = extra(ctx);
    } catch (error) {
      onContextError(error);
      return base;
    }
    if (!added || typeof added !== 'object') return base;
    return { ...base, ...added, properties: { ...base.properties, ...added.properties } } as UnleashContext;
  };
}
