import type { Context, Middleware, Next } from 'koa';
import { createFlagReader } from './flag.js';
import { resolveOptions, type MaintenanceOptions } from './options.js';
import { canonicalPath } from './path-matcher.js';
import { createPayloadParser } from './payload.js';
import { createReporter } from './reporter.js';
import { createResponder } from './respond.js';
import { createContextBuilder } from './unleash-context.js';

/** Why a request was or was not blocked. */
export type MaintenanceReason = 'off' | 'skipped' | 'bypass-ip' | 'allowed-url' | 'blocked';

/** Recorded on `ctx.state.maintenance` for every request the middleware sees. */
export interface MaintenanceState {
  /** Whether maintenance was on for this request (even if it was let through). */
  readonly active: boolean;
  readonly reason: MaintenanceReason;
  /** The resolved client IP, when it was needed; `undefined` otherwise or when unknown. */
  readonly clientIp: string | undefined;
}

const OFF: MaintenanceState = Object.freeze({ active: false, reason: 'off', clientIp: undefined });
const SKIPPED: MaintenanceState = Object.freeze({ active: false, reason: 'skipped', clientIp: undefined });

function record(ctx: Context, active: boolean, reason: MaintenanceReason, clientIp: string | undefined): void {
  ctx.state.maintenance = { active, reason, clientIp } satisfies MaintenanceState;
}

/**
 * Koa middleware that answers 503 while the Unleash flag is on. Options are validated and compiled here,
 * once; a bad one throws a TypeError naming it. Mount it after CORS and logging, before body parsing and routes.
 */
export function maintenance(options: MaintenanceOptions): Middleware {
  const resolved = resolveOptions(options);
  const { skip, resolveClientIp, isBypassIp, isAllowedUrl } = resolved;
  const report = createReporter(resolved.logger);
  const flag = createFlagReader({ ...resolved, parsePayload: createPayloadParser(report), report });
  const buildContext = createContextBuilder(resolved.context, report);
  const respond = createResponder({ ...resolved, report });

  function isSkipped(ctx: Context): boolean {
    try {
      return skip !== undefined && skip(ctx) === true;
    } catch (error) {
      report('error', 'skip', 'the skip(ctx) option threw; the request was treated as not skipped', error);
      return false;
    }
  }

  return async function maintenanceMiddleware(ctx: Context, next: Next): Promise<void> {
    if (isSkipped(ctx)) {
      ctx.state.maintenance = SKIPPED;
      return next();
    }
    const needsContext = flag.needsContext();
    let clientIp = needsContext ? resolveClientIp(ctx.req) : undefined;
    const answer = flag.ask(needsContext ? buildContext(ctx, clientIp) : undefined);
    if (answer === false) {
      ctx.state.maintenance = OFF;
      return next();
    }
    if (!needsContext) clientIp = resolveClientIp(ctx.req);
    if (clientIp !== undefined && isBypassIp(clientIp)) {
      record(ctx, true, 'bypass-ip', clientIp);
      return next();
    }
    const path = canonicalPath(ctx.path);
    if (path !== undefined && isAllowedUrl(path)) {
      record(ctx, true, 'allowed-url', clientIp);
      return next();
    }
    record(ctx, true, 'blocked', clientIp);
    await respond(ctx, answer.payload);
  };
}
