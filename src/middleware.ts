import { join } from 'node:path';
import type { Context, Middleware, Next } from 'koa';
import type { Verdict } from './middleware/gate.js';
import { BYPASS_HEADER, compileBypassSecret, type BypassCredential } from './middleware/bypass-secret.js';
import { compileTrust, createClientIpResolver, createPeerTrust } from './request/client-ip.js';
import { createConnections, type Connections } from './middleware/connections.js';
import { createFlagReader } from './middleware/flag-reader.js';
import { createGate } from './middleware/gate.js';
import { createHostnameReader } from './request/hostname.js';
import { compileIpMatcher } from './request/ip-matcher.js';
import { checkOptions, type MaintenanceOptions } from './middleware/options.js';
import { createPageRenderer } from './middleware/page.js';
import { compileHealthPaths, compileUrlMatcher } from './request/path.js';
import { createPayloadParser } from './middleware/payload-parser.js';
import { keepAnswerPrivate } from './middleware/private-answer.js';
import { createReporter } from './middleware/reporter.js';
import { createFactsReader } from './request/facts.js';
import { createResponder, sendBareUnavailable } from './middleware/respond.js';
import { createStatusEndpoint } from './middleware/status-endpoint.js';
import { createContextBuilder } from './request/unleash-context.js';

/**
 * The middleware, carrying the same compiled gate for what Koa never sees: `upgrade(listener)` guards Node's
 * `upgrade` event (WebSockets), `decide(req)` gives any request's `MaintenanceState`, and `watch(req,
 * onBlocked)` tells a long-lived connection (WebSocket, Server-Sent Events) when maintenance now blocks it.
 */
export interface MaintenanceMiddleware extends Middleware, Connections {}

/**
 * Koa middleware that answers 503 while the Unleash flag is on. Options are checked and every part is built
 * here, once; a bad option throws a TypeError naming it. Mount it after CORS and logging, before body parsing
 * and routes.
 */
export function maintenance(options: MaintenanceOptions): MaintenanceMiddleware {
  const settings = checkOptions(options);
  const defaultMode = settings.mode;
  const report = createReporter(settings.logger);
  const trust = compileTrust(settings.trustProxy);
  const isBypassIp = compileIpMatcher(settings.bypassIps, 'bypassIps');
  const bypassSecret = compileBypassSecret(settings.bypassSecret);
  const isHealthPath = compileHealthPaths(settings.healthPaths);
  const isAllowedUrl = compileUrlMatcher(settings.allowedUrls);
  const readFacts = createFactsReader({
    resolveClientIp: createClientIpResolver(trust),
    buildContext: createContextBuilder({
      extra: settings.context,
      readHostname: createHostnameReader(createPeerTrust(trust)),
      onContextError: (error) => report('error', 'context', 'the context(ctx) option threw; using the default Unleash context', error),
    }),
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

  function passPrivately(ctx: Context, next: Next, credential?: BypassCredential): Promise<void> {
    keepAnswerPrivate(ctx, credential && (credential === 'cookie' ? 'Cookie' : BYPASS_HEADER));
    return next();
  }

  const decide = createGate({
    readFacts, askFlag, isBypassIp, bypassSecret, isHealthPath, isAllowedUrl, statusEndpoint,
    skip: settings.skip, onDecision: settings.onDecision, defaultMode, report,
  });

  /** The gate's own answers; if writing one fails, a bare 503 still goes out: never a 500, never the route. */
  function answer(ctx: Context, verdict: Exclude<Verdict, { action: 'next' | 'next-privately' }>): void {
    try {
      if (verdict.action === 'status') statusEndpoint?.answer(ctx, verdict.flag);
      else if (verdict.action === 'block') responder.respond(ctx, verdict.payload, verdict.mode);
    } catch (error) {
      report('error', 'answer', 'writing the maintenance answer failed; answered with a bare 503', error);
      sendBareUnavailable(ctx);
    }
  }

  async function maintenanceMiddleware(ctx: Context, next: Next): Promise<void> {
    const verdict = decide(ctx, 'request');
    if (verdict.action === 'next') return next();
    if (verdict.action === 'next-privately') return passPrivately(ctx, next, verdict.credential);
    answer(ctx, verdict);
  }

  return Object.assign(maintenanceMiddleware, createConnections({ decide, responder, unleash: settings.unleash, report }));
}
