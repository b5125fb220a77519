import { join } from 'node:path';
import type { Context, Middleware, Next } from 'koa';
import { BYPASS_HEADER, compileBypassSecret, type BypassCredential } from './bypass-secret.js';
import { compileTrust, createClientIpResolver, createPeerTrust } from './client-ip.js';
import { createFlagReader } from './flag.js';
import { createHostnameReader } from './hostname.js';
import { compileIpMatcher } from './ip-matcher.js';
import { checkOptions, type MaintenanceOptions } from './options.js';
import { createPageRenderer } from './page.js';
import { compileHealthPaths, compileUrlMatcher } from './path-matcher.js';
import { createPayloadParser } from './payload.js';
import { createReporter } from './reporter.js';
import { createFactsReader, type RequestFacts } from './request-facts.js';
import { createResponder } from './respond.js';
import { createStatusEndpoint } from './status-endpoint.js';
import type { MaintenanceMode, MaintenanceReason, MaintenanceState } from './state.js';
import { createContextBuilder } from './unleash-context.js';

const SKIPPED: MaintenanceState = Object.freeze({ active: false, reason: 'skipped', clientIp: undefined });

/** RFC 9110 §9.2.1 safe methods, plus OPTIONS (CORS preflights): what read-only mode lets through. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Koa middleware that answers 503 while the Unleash flag is on. Options are checked and every part is built
 * here, once; a bad option throws a TypeError naming it. Mount it after CORS and logging, before body parsing
 * and routes.
 */
export function maintenance(options: MaintenanceOptions): Middleware {
  const settings = checkOptions(options);
  const { skip, onDecision, mode: defaultMode } = settings;
  const report = createReporter(settings.logger);
  const trust = compileTrust(settings.trustProxy);
  const isBypassIp = compileIpMatcher(settings.bypassIps, 'bypassIps');
  const bypassSecret = compileBypassSecret(settings.bypassSecret);
  const isHealthPath = compileHealthPaths(settings.healthPaths);
  const isAllowedUrl = compileUrlMatcher(settings.allowedUrls);
  const readFacts = createFactsReader({
    resolveClientIp: createClientIpResolver(trust),
    buildContext: createContextBuilder({ extra: settings.context, readHostname: createHostnameReader(createPeerTrust(trust)), report }),
  });
  const askFlag = createFlagReader({
    unleash: settings.unleash,
    flagName: settings.flagName,
    fallback: settings.fallback,
    override: settings.override,
    parsePayload: createPayloadParser(report),
    report,
    noticeSeconds: settings.noticeSeconds,
  });
  const statusEndpoint = settings.statusPath === undefined
    ? undefined
    : createStatusEndpoint({ path: settings.statusPath, mode: defaultMode, retryAfter: settings.retryAfter });
  const responder = createResponder({
    page: createPageRenderer(join(settings.viewsDir, `${settings.view}.pug`)),
    view: settings.view,
    locals: settings.locals,
    retryAfter: settings.retryAfter,
    refresh: settings.refresh,
    languages: settings.languages,
    report,
  });
  responder.warm();

  function record(facts: RequestFacts, reason: MaintenanceReason, mode: MaintenanceMode): void {
    const decision: MaintenanceState = { active: true, reason, clientIp: facts.clientIp(), mode };
    facts.ctx.state.maintenance = decision;
    if (!onDecision) return;
    try {
      onDecision(facts.ctx, decision);
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
  async function passPrivately(ctx: Context, next: Next, credential?: BypassCredential): Promise<void> {
    await next();
    ctx.set('Cache-Control', 'private, no-store');
    if (credential) ctx.vary(credential === 'cookie' ? 'Cookie' : BYPASS_HEADER);
  }

  // The rules, in order. Each fact of the request (client IP, path, Unleash context) is computed on demand.
  return async function maintenanceMiddleware(ctx: Context, next: Next): Promise<void> {
    if (isSkipped(ctx)) {
      ctx.state.maintenance = SKIPPED;
      return next();
    }
    const facts = readFacts(ctx);
    const answer = askFlag(facts);
    if (statusEndpoint?.matches(ctx)) return statusEndpoint.answer(ctx, answer);
    if (!answer.on) {
      ctx.state.maintenance = answer.state;
      return next();
    }
    const mode = answer.payload.mode ?? defaultMode;
    const clientIp = facts.clientIp();
    if (clientIp !== undefined && isBypassIp(clientIp)) {
      record(facts, 'bypass-ip', mode);
      return passPrivately(ctx, next);
    }
    if (bypassSecret?.grant(ctx, facts.rawPath())) {
      record(facts, 'bypass-secret', mode); // the staff link: answered with the cookie and a redirect
      return;
    }
    const credential = bypassSecret?.admits(ctx);
    if (credential) {
      record(facts, 'bypass-secret', mode);
      return passPrivately(ctx, next, credential);
    }
    const path = facts.rulePath();
    if (path !== undefined && isHealthPath(ctx.method, path)) {
      record(facts, 'health', mode);
      return next();
    }
    if (path !== undefined && isAllowedUrl(path)) {
      record(facts, 'allowed-url', mode);
      return next();
    }
    if (mode === 'read-only' && SAFE_METHODS.has(ctx.method)) {
      record(facts, 'read-only', mode);
      return next();
    }
    record(facts, 'blocked', mode);
    responder.respond(ctx, answer.payload, mode);
  };
}
