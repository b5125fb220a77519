import type { Context } from 'koa';
import { NO_PAYLOAD, type MaintenancePayload } from '../flag/payload.js';
import type { MaintenanceMode, MaintenanceReason, MaintenanceState } from '../flag/state.js';
import type { FactsReader, RequestFacts } from '../request/facts.js';
import type { BypassCredential } from './bypass-secret.js';
import type { FlagAnswer, FlagReader } from './flag-reader.js';
import type { CompiledOptions } from './options.js';
import type { Report } from './reporter.js';
import type { StatusEndpoint } from './status-endpoint.js';

/**
 * What the gate decided for one request:
 * - `next`: on to the app (maintenance off, skipped, or a rule let it through);
 * - `next-privately`: on to the app by a bypass, whose answer must stay out of shared caches;
 * - `granted`: the staff link, already answered with its cookie and a redirect;
 * - `status`: the status endpoint, to be answered with the flag's state for the path asked about (`?path=`,
 *   else its own); no `flag` when the question cannot be read;
 * - `block`: the 503; in mode `pause` the middleware may hold the request instead (see pause.ts).
 */
export type Verdict =
  | { readonly action: 'next'; readonly state: MaintenanceState }
  | { readonly action: 'next-privately'; readonly state: MaintenanceState; readonly credential?: BypassCredential }
  | { readonly action: 'granted'; readonly state: MaintenanceState }
  | { readonly action: 'status'; readonly flag: FlagAnswer | undefined; readonly path?: string }
  | { readonly action: 'block'; readonly state: MaintenanceState; readonly payload: MaintenancePayload; readonly mode: MaintenanceMode };

/**
 * `request`: an HTTP request through Koa, every rule. `raw`: a request Koa does not answer (an HTTP upgrade,
 * `gate.decide(req)`): no staff link, no status endpoint, since the gate does not write the answer.
 * `recheck`: an open connection looked at again, like `raw` but recording nothing.
 */
export type Occasion = 'request' | 'raw' | 'recheck';

/** The rules as the options compiled them, and the parts built from them. */
export interface GateParts extends Pick<CompiledOptions, 'isBypassIp' | 'bypassSecret' | 'isHealthPath' | 'isAllowedUrl' | 'skip' | 'onDecision'> {
  readFacts: FactsReader;
  askFlag: FlagReader;
  statusEndpoint: StatusEndpoint | undefined;
  defaultMode: MaintenanceMode;
  report: Report;
}

export type Gate = (ctx: Context, occasion: Occasion) => Verdict;

const SKIPPED: MaintenanceState = Object.freeze({ active: false, reason: 'skipped', clientIp: undefined });
/** What a request the gate failed to decide gets: the 503. */
export const FAILED_CLOSED: MaintenanceState = Object.freeze({ active: true, reason: 'blocked', clientIp: undefined });

/** RFC 9110 §9.2.1 safe methods, plus OPTIONS (CORS preflights): what read-only mode lets through. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The rules, in order, compiled once: the one decision HTTP requests, upgrades and watched connections share. */
export function createGate(parts: GateParts): Gate {
  const { readFacts, askFlag, isBypassIp, bypassSecret, isHealthPath, isAllowedUrl, statusEndpoint, skip, onDecision, defaultMode, report } = parts;

  function isSkipped(ctx: Context): boolean {
    try {
      return skip !== undefined && skip(ctx) === true;
    } catch (error) {
      report('error', 'skip', 'the skip(ctx) option threw; the request was treated as not skipped', error);
      return false;
    }
  }

  function recordState(facts: RequestFacts, reason: MaintenanceReason, mode: MaintenanceMode, occasion: Occasion): MaintenanceState {
    const state: MaintenanceState = { active: true, reason, clientIp: facts.clientIp(), mode };
    if (occasion === 'recheck') return state;
    // A request blocked in pause mode is not decided yet: the middleware holds it and records how it ended.
    if (reason === 'blocked' && mode === 'pause' && occasion === 'request') facts.ctx.state.maintenance = state;
    else recordDecision(facts.ctx, state, onDecision, report);
    return state;
  }

  function passOff(ctx: Context, state: MaintenanceState, occasion: Occasion): Verdict {
    if (occasion !== 'recheck') ctx.state.maintenance = state;
    return { action: 'next', state };
  }

  /** The status, for the request's own path or the one it asks about: a question, never a way through. */
  function statusVerdict(ctx: Context, endpoint: StatusEndpoint, facts: RequestFacts): Verdict {
    const asked = endpoint.askedPath(ctx);
    if (asked === undefined) return { action: 'status', flag: askFlag(facts) };
    if (asked === null) return { action: 'status', flag: undefined };
    return { action: 'status', flag: askFlag(readFacts(ctx, asked)), path: asked };
  }

  /** The rules, in order. Each fact of the request (client IP, path, Unleash context) is computed on demand, at most once. */
  function decideByRules(ctx: Context, occasion: Occasion): Verdict {
    if (isSkipped(ctx)) return passOff(ctx, SKIPPED, occasion);
    const facts = readFacts(ctx);
    if (occasion === 'request' && statusEndpoint?.matches(ctx, facts)) return statusVerdict(ctx, statusEndpoint, facts);
    const flag = askFlag(facts);
    if (!flag.on) return passOff(ctx, flag.state, occasion);
    const mode = flag.payload.mode ?? defaultMode;
    const clientIp = facts.clientIp();
    if (clientIp !== undefined && isBypassIp(clientIp)) {
      return { action: 'next-privately', state: recordState(facts, 'bypass-ip', mode, occasion) };
    }
    if (occasion === 'request' && bypassSecret?.grant(ctx, facts.rawPath())) {
      return { action: 'granted', state: recordState(facts, 'bypass-secret', mode, occasion) };
    }
    const credential = bypassSecret?.admits(ctx);
    if (credential) return { action: 'next-privately', state: recordState(facts, 'bypass-secret', mode, occasion), credential };
    const path = facts.rulePath();
    const upgrade = facts.wantsUpgrade();
    if (path !== undefined && isHealthPath(ctx.method, path, upgrade)) return { action: 'next', state: recordState(facts, 'health', mode, occasion) };
    if (path !== undefined && isAllowedUrl(path)) return { action: 'next', state: recordState(facts, 'allowed-url', mode, occasion) };
    // An upgraded connection (a WebSocket) writes whatever its method: read-only lets none through.
    if (mode === 'read-only' && SAFE_METHODS.has(ctx.method) && !upgrade) {
      return { action: 'next', state: recordState(facts, 'read-only', mode, occasion) };
    }
    return { action: 'block', state: recordState(facts, 'blocked', mode, occasion), payload: flag.payload, mode };
  }

  /**
   * Fails closed by construction: an exception anywhere in the gate's own code (never the app's, which runs
   * after it) is reported once and decides the 503, on every surface: requests, upgrades, watched connections.
   */
  return function gate(ctx, occasion) {
    try {
      return decideByRules(ctx, occasion);
    } catch (error) {
      report('error', 'gate', 'deciding a request failed; it was answered with the 503', error);
      if (occasion !== 'recheck') trySetState(ctx, FAILED_CLOSED);
      // Never held: a request the gate could not decide gets the 503 at once.
      return { action: 'block', state: FAILED_CLOSED, payload: NO_PAYLOAD, mode: defaultMode === 'pause' ? 'block' : defaultMode };
    }
  };
}

/** Sets `ctx.state.maintenance` and tells `onDecision`, whose errors are reported and ignored. */
export function recordDecision(ctx: Context, state: MaintenanceState, onDecision: GateParts['onDecision'], report: Report): void {
  ctx.state.maintenance = state;
  if (!onDecision) return;
  try {
    onDecision(ctx, state);
  } catch (error) {
    report('error', 'onDecision', 'the onDecision(ctx, decision) option threw; ignored', error);
  }
}

/** `ctx.state` may itself be what failed. */
function trySetState(ctx: Context, state: MaintenanceState): void {
  try {
    ctx.state.maintenance = state;
  } catch {
    // The 503 does not need it.
  }
}
