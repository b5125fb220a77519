import type { Context } from 'koa';
import type { Context as UnleashContext } from 'unleash-client';
import type { ClientIpResolver } from './client-ip.js';
import { pathForRules, readPath } from './path.js';
import type { ContextBuilder } from './unleash-context.js';

/**
 * What the gate knows of one request, each fact computed at most once and only when a rule asks for it:
 * while maintenance is off none of them is computed for a plain on/off flag.
 */
export interface RequestFacts {
  readonly ctx: Context;
  /** The client's address under `trustProxy`; `undefined` when unknown. */
  clientIp(): string | undefined;
  /** `ctx.path`; `undefined` when Koa cannot read the request target. */
  rawPath(): string | undefined;
  /** The raw path when it is in normal form, the only path a rule may let through; else `undefined`. */
  rulePath(): string | undefined;
  /** Whether the request asks to switch protocols (an `Upgrade` header, e.g. a WebSocket handshake). */
  wantsUpgrade(): boolean;
  unleashContext(): UnleashContext;
}

/** The facts of a request; with `path`, of the same request as if it were for that path (the status endpoint's `?path=`). */
export type FactsReader = (ctx: Context, path?: string) => RequestFacts;

export interface FactsParts {
  resolveClientIp: ClientIpResolver;
  buildContext: ContextBuilder;
}

const UNREAD = Symbol('unread');
type Lazy<T> = T | typeof UNREAD;

class LazyRequestFacts implements RequestFacts {
  #clientIp: Lazy<string | undefined> = UNREAD;
  #rawPath: Lazy<string | undefined> = UNREAD;
  #unleashContext: Lazy<UnleashContext> = UNREAD;

  constructor(
    readonly ctx: Context,
    private readonly parts: FactsParts,
    path: string | undefined,
  ) {
    if (path !== undefined) this.#rawPath = path;
  }

  clientIp(): string | undefined {
    if (this.#clientIp === UNREAD) this.#clientIp = this.parts.resolveClientIp(this.ctx.req);
    return this.#clientIp;
  }

  rawPath(): string | undefined {
    if (this.#rawPath === UNREAD) this.#rawPath = readPath(this.ctx);
    return this.#rawPath;
  }

  rulePath(): string | undefined {
    return pathForRules(this.rawPath());
  }

  wantsUpgrade(): boolean {
    return wantsUpgrade(this.ctx.req);
  }

  unleashContext(): UnleashContext {
    if (this.#unleashContext === UNREAD) this.#unleashContext = this.parts.buildContext(this.ctx, this.clientIp(), this.rawPath());
    return this.#unleashContext;
  }
}

/** Whether a request asks to switch protocols; Node's parser says so even when the header itself was dropped (past `maxHeadersCount`). */
export function wantsUpgrade(req: { readonly upgrade?: unknown; readonly headers: { readonly upgrade?: unknown } }): boolean {
  return req.upgrade === true || req.headers.upgrade !== undefined;
}

export function createFactsReader(parts: FactsParts): FactsReader {
  return (ctx, path) => new LazyRequestFacts(ctx, parts, path);
}
