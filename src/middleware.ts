import type { Context, Middleware, Next } from 'koa';
import type { MaintenancePayload } from './flag/payload.js';
import { BYPASS_HEADER, type BypassCredential } from './middleware/bypass-secret.js';
import { createConnections, type Connections } from './middleware/connections.js';
import { createFlagReader } from './middleware/flag-reader.js';
import { createGate, recordDecision, type Verdict } from './middleware/gate.js';
import { compileOptions, type MaintenanceOptions } from './middleware/options.js';
import { createPause, type BlockVerdict, type HoldEnd } from './middleware/pause.js';
import { createPayloadParser } from './middleware/payload-parser.js';
import { keepAnswerPrivate } from './middleware/private-answer.js';
import { createReporter } from './middleware/reporter.js';
import { createResponder, sendBareUnavailable } from './middleware/respond.js';
import { createStatusEndpoint } from './middleware/status-endpoint.js';
import { createClientIpResolver, createPeerTrust } from './request/client-ip.js';
import { createFactsReader } from './request/facts.js';
import { createHostnameReader } from './request/hostname.js';
import { createContextBuilder } from './request/unleash-context.js';

/**
 * The middleware, carrying the same compiled gate for what Koa never sees: `upgrade(listener)` guards Node's
 * `upgrade` event (WebSockets), `decide(req)` gives any request's `MaintenanceState`, and `watch(req,
 * onBlocked)` tells a long-lived connection (WebSocket, Server-Sent Events) when maintenance now blocks it.
 */
export interface MaintenanceMiddleware extends Middleware, Connections {}

/**
 * Koa middleware that answers 503 while the Unleash flag is on. The options are compiled once (a bad one
 * throws a TypeError naming it); this function only wires the parts. Mount it after CORS and logging, before
 * body parsing and routes.
 */
export function maintenance(options: MaintenanceOptions): MaintenanceMiddleware {
  const compiled = compileOptions(options);
  const { unleash, trust, mode: defaultMode, retryAfter, statusPath } = compiled;
  const report = createReporter(compiled.logger);
  const readFacts = createFactsReader({
    resolveClientIp: createClientIpResolver(trust),
    buildContext: createContextBuilder({
      extra: compiled.context,
      readHostname: createHostnameReader(createPeerTrust(trust)),
      onContextError: (error) => report('error', 'context', 'the context(ctx) option threw; using the default Unleash context', error),
    }),
  });
  const askFlag = createFlagReader({
    unleash,
    flagName: compiled.flagName,
    fallback: compiled.fallback,
    override: compiled.override,
    parsePayload: createPayloadParser(report),
    report,
    noticeSeconds: compiled.noticeSeconds,
  });
  const statusEndpoint = statusPath === undefined ? undefined : createStatusEndpoint({ path: statusPath, mode: defaultMode, retryAfter });
  const responder = createResponder({
    page: compiled.page,
    view: compiled.view,
    locals: compiled.locals,
    retryAfter,
    refresh: compiled.refresh,
    languages: compiled.languages,
    report,
  });
  responder.warm();

  function passPrivately(ctx: Context, next: Next, credential?: BypassCredential): Promise<void> {
    keepAnswerPrivate(ctx, credential && (credential === 'cookie' ? 'Cookie' : BYPASS_HEADER));
    return next();
  }

  const gate = createGate({ ...compiled, readFacts, askFlag, statusEndpoint, defaultMode, report });

  function failed(ctx: Context, error: unknown): void {
    report('error', 'answer', 'writing the maintenance answer failed; answered with a bare 503', error);
    sendBareUnavailable(ctx);
  }

  /**
   * The gate's own answers; if writing one fails, a bare 503 still goes out: never a 500, never the route. A
   * promise only while a page rendered through koa-views is not at hand yet.
   */
  function answer(ctx: Context, verdict: Exclude<Verdict, { action: 'next' | 'next-privately' }>): void | Promise<void> {
    try {
      if (verdict.action === 'status') statusEndpoint?.answer(ctx, verdict.flag, verdict.path);
      else if (verdict.action === 'block') return responder.respond(ctx, verdict.payload, verdict.mode)?.catch((error: unknown) => failed(ctx, error));
    } catch (error) {
      failed(ctx, error);
    }
  }

  const pause = createPause({ gate, unleash, maxHeld: compiled.maxHeld });
  const maxPauseMs = (payload: MaintenancePayload): number => (payload.maxPause ?? compiled.maxPauseSeconds) * 1000;

  /**
   * Pause mode: the request waits until maintenance no longer blocks it, then goes on to the app (`paused`), or
   * gets the 503 after `maxPause`; the decision is recorded (and `onDecision` told) once it is made. A request
   * that may not be held (`maxHeld` reached, an upgrade) gets the 503 at once.
   */
  async function holdThenGoOn(ctx: Context, next: Next, verdict: BlockVerdict): Promise<void> {
    const held = tryHold(ctx, verdict);
    if (!held) {
      recordDecision(ctx, verdict.state, compiled.onDecision, report);
      return answer(ctx, verdict);
    }
    const end = await held;
    const { pausedMs } = end;
    if (end.outcome === 'released') {
      const passed = end.verdict;
      recordDecision(ctx, { ...passed.state, reason: 'paused', clientIp: verdict.state.clientIp, pausedMs }, compiled.onDecision, report);
      return passed.action === 'next-privately' ? passPrivately(ctx, next, passed.credential) : next();
    }
    const blocked = end.outcome === 'blocked' ? end.verdict : verdict;
    recordDecision(ctx, { ...blocked.state, pausedMs }, compiled.onDecision, report);
    if (end.outcome !== 'dropped') return answer(ctx, blocked);
  }

  /** Fails closed like the gate: a request that could not be held gets the 503 at once. */
  function tryHold(ctx: Context, verdict: BlockVerdict): Promise<HoldEnd> | undefined {
    try {
      return pause.hold(ctx, maxPauseMs(verdict.payload));
    } catch (error) {
      report('error', 'pause', 'holding a request failed; it was answered with the 503', error);
      return undefined;
    }
  }

  async function maintenanceMiddleware(ctx: Context, next: Next): Promise<void> {
    const verdict = gate(ctx, 'request');
    if (verdict.action === 'next') return next();
    if (verdict.action === 'next-privately') return passPrivately(ctx, next, verdict.credential);
    if (verdict.action === 'block' && verdict.mode === 'pause') return holdThenGoOn(ctx, next, verdict);
    return answer(ctx, verdict);
  }

  return Object.assign(maintenanceMiddleware, createConnections({ gate, responder, unleash, report }));
}
