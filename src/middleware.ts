import type { Context, Middleware, Next } from 'koa';
import { createFlagReader } from './flag.js';
import { resolveOptions, type MaintenanceOptions } from './options.js';
import { BYPASS_HEADER, type BypassCredential } from './bypass-secret.js';
import { pathForRules, readPath } from './path-matcher.js';
import { createPayloadParser } from './payload.js';
import { createReporter } from './reporter.js';
import { createResponder } from './respond.js';
import type { MaintenanceMode } from './read-only.js';
import type { MaintenanceReason, MaintenanceState } from './state.js';
import { createContextBuilder } from './unleash-context.js';

const OFF: MaintenanceState = Object.freeze({ active: false, reason: 'off', clientIp: undefined });
const SKIPPED: MaintenanceState = Object.freeze({ active: false, reason: 'skipped', clientIp: undefined });

/**
 * Koa middleware that answers 503 while the Unleash flag is on. Options are validated and compiled here,
 * once; a bad one throws a TypeError naming it. Mount it after CORS and logging, before body parsing and routes.
 */
export function maintenance(options: MaintenanceOptions): Middleware {
  const resolved = resolveOptions(options);
  const { skip, resolveClientIp, isBypassIp, bypassSecret, isHealthPath, isAllowedUrl, readOnly, onDecision, readHostname } = resolved;
  const report = createReporter(resolved.logger);
  const flag = createFlagReader({ ...resolved, parsePayload: createPayloadParser(report), report });
  const buildContext = createContextBuilder({ extra: resolved.context, readHostname, report });
  const respond = createResponder({ ...resolved, report });

  function record(ctx: Context, reason: MaintenanceReason, clientIp: string | undefined, mode: MaintenanceMode): void {
    const decision: MaintenanceState = { active: true, reason, clientIp, mode };
    ctx.state.maintenance = decision;
    if (!onDecision) return;
    try {
      onDecision(ctx, decision);
    } catch (error) {
      report('error', 'onDecision', 'the onDecision(ctx, decision) option threw; ignored', error);
    }
  }

  function isSkipped(ctx: Context): boolean {
    try {
      return skip !== undefined && skip(ctx) === true;
    } catch (error) {
      report('error', 'skip', 'the skip(ctx) option threw; the request was treated as not skipped', error);
      return false;
    }
  }

  /**
   * While maintenance is on, an answer a bypass let through is the staff's view of a half-migrated site: set
   * after `next()`, so the app cannot undo it, it keeps shared caches (CDNs) from storing it for everyone.
   */
  function keepPrivate(ctx: Context, credential?: BypassCredential): void {
    ctx.set('Cache-Control', 'private, no-store');
    if (credential) ctx.vary(credential === 'cookie' ? 'Cookie' : BYPASS_HEADER);
  }

  return async function maintenanceMiddleware(ctx: Context, next: Next): Promise<void> {
    if (isSkipped(ctx)) {
      ctx.state.maintenance = SKIPPED;
      return next();
    }
    const shape = flag.shape();
    let clientIp = shape.contextFree ? undefined : resolveClientIp(ctx.req);
    const answer = flag.ask(shape, shape.contextFree ? undefined : buildContext(ctx, clientIp));
    if (answer === false) {
      ctx.state.maintenance = OFF;
      return next();
    }
    if (shape.contextFree) clientIp = resolveClientIp(ctx.req);
    const mode = readOnly.modeOf(answer.payload);
    if (clientIp !== undefined && isBypassIp(clientIp)) {
      record(ctx, 'bypass-ip', clientIp, mode);
      await next();
      keepPrivate(ctx);
      return;
    }
    const rawPath = readPath(ctx);
    if (bypassSecret?.grant(ctx, rawPath)) {
      record(ctx, 'bypass-secret', clientIp, mode); // the staff link: answered with the cookie and a redirect
      return;
    }
    const credential = bypassSecret?.admits(ctx);
    if (credential) {
      record(ctx, 'bypass-secret', clientIp, mode);
      await next();
      keepPrivate(ctx, credential);
      return;
    }
    const path = pathForRules(rawPath);
    if (path !== undefined && isHealthPath(ctx.method, path)) {
      record(ctx, 'health', clientIp, mode);
      return next();
    }
    if (path !== undefined && isAllowedUrl(path)) {
      record(ctx, 'allowed-url', clientIp, mode);
      return next();
    }
    if (readOnly.letsThrough(ctx.method, mode)) {
      record(ctx, 'read-only', clientIp, mode);
      return next();
    }
    record(ctx, 'blocked', clientIp, mode);
    await respond(ctx, answer.payload, mode);
  };
}
