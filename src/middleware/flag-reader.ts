import type { Context as UnleashContext } from 'unleash-client';
import { NO_PAYLOAD, type MaintenancePayload, type PayloadParser, type VariantPayload } from '../flag/payload.js';
import type { MaintenanceState } from '../flag/state.js';
import type { Report } from './reporter.js';
import { scheduleOf, type Schedule } from './schedule.js';

/** What the middleware reads of a flag definition (a structural slice of unleash-client's FeatureDefinition). */
export interface FeatureDefinition {
  enabled: boolean;
  impressionData?: boolean;
  variants?: readonly unknown[];
  dependencies?: readonly unknown[];
  strategies?: readonly {
    name: string;
    parameters?: Readonly<Record<string, unknown>>;
    constraints?: readonly unknown[];
    segments?: readonly unknown[];
    variants?: readonly unknown[];
  }[];
}

/** The part of an Unleash client the middleware uses. The real `Unleash` class fits; so does Unleash's offline client. */
export interface UnleashLike {
  isEnabled(name: string, context?: UnleashContext, fallback?: boolean): boolean;
  getVariant(name: string, context?: UnleashContext): { feature_enabled?: boolean; payload?: VariantPayload };
  /** Used, when present, to skip building a request context for flags whose answer cannot depend on it. */
  getFeatureToggleDefinition?(name: string): FeatureDefinition | undefined;
  /** Used, when present, to look at watched connections again as soon as the client's flags change. */
  on?(event: 'changed', listener: () => void): unknown;
  off?(event: 'changed', listener: () => void): unknown;
}

/**
 * Off, with what the request's `ctx.state.maintenance` says (an upcoming window during its notice time), or
 * on, with what the flag's variant payload says.
 */
export type FlagAnswer = { readonly on: false; readonly state: MaintenanceState } | { readonly on: true; readonly payload: MaintenancePayload };

/** Asks for the request's Unleash context; called only when the flag's definition can use it. */
export type ContextSource = { unleashContext(): UnleashContext };

export type FlagReader = (request: ContextSource) => FlagAnswer;

export interface FlagReaderOptions {
  unleash: UnleashLike;
  flagName: string;
  fallback: boolean;
  override: boolean | undefined;
  parsePayload: PayloadParser;
  report: Report;
  /** Seconds before a scheduled window's start from which it is announced, unless its payload says otherwise. */
  noticeSeconds: number;
  /** The clock, in ms since the epoch; replaceable in tests. */
  now?: () => number;
}

/** How Unleash must be asked about a flag, read from its definition. */
export interface FlagShape {
  /** No strategy, constraint, segment, dependency or impression event can see the context. */
  readonly contextFree: boolean;
  /** Variants exist, so `getVariant` both decides and gives the payload (one metrics count, not two). */
  readonly hasVariants: boolean;
  /**
   * The percentage of a partial `flexibleRollout` whose stickiness (`default`, `random`) is a coin toss per
   * request unless the context has a userId or sessionId: visitors would flip between the page and the site.
   */
  readonly randomRollout?: number;
}

/** The shape and, when it has any, the announced windows of one flag definition. */
interface Reading {
  readonly shape: FlagShape;
  /** What an off answer announces: scheduled windows during their notice time, scopes closed elsewhere. */
  readonly schedule?: Schedule;
}

const OFF_STATE: MaintenanceState = Object.freeze({ active: false, reason: 'off', clientIp: undefined });
const OFF: FlagAnswer = Object.freeze({ on: false, state: OFF_STATE });

const UNKNOWN_CLIENT: FlagShape = { contextFree: false, hasVariants: true };
const ABSENT_FLAG: FlagShape = { contextFree: true, hasVariants: false };
const EMPTY_CONTEXT: UnleashContext = Object.freeze({}) as UnleashContext;
const ON_WITHOUT_PAYLOAD: FlagAnswer = Object.freeze({ on: true, payload: NO_PAYLOAD });
const UNKNOWN_READING: Reading = { shape: UNKNOWN_CLIENT };
const ABSENT_READING: Reading = { shape: ABSENT_FLAG };

function isUnconditional(strategy: NonNullable<FeatureDefinition['strategies']>[number]): boolean {
  return strategy.name === 'default' && !strategy.constraints?.length && !strategy.segments?.length && !strategy.variants?.length;
}

/**
 * Which definitions Unleash answers the same for every context. This mirrors unleash-client's evaluation
 * rules; `test/flag-shape.test.ts` holds it against the real client, so a change there fails a test here.
 */
export function shapeOf(feature: FeatureDefinition): FlagShape {
  const strategies = feature.strategies ?? [];
  const hasVariants = Boolean(feature.variants?.length) || strategies.some((strategy) => strategy.variants?.length);
  if (feature.dependencies?.length || feature.impressionData) return { contextFree: false, hasVariants };
  if (!feature.enabled) return { contextFree: true, hasVariants };
  const contextFree = !hasVariants && (strategies.length === 0 || strategies.some(isUnconditional));
  const randomRollout = contextFree ? undefined : strategies.map(coinTossRollout).find((rollout) => rollout !== undefined);
  return randomRollout === undefined ? { contextFree, hasVariants } : { contextFree, hasVariants, randomRollout };
}

function coinTossRollout(strategy: NonNullable<FeatureDefinition['strategies']>[number]): number | undefined {
  if (strategy.name !== 'flexibleRollout') return undefined;
  const rollout = Number(strategy.parameters?.rollout);
  const stickiness = strategy.parameters?.stickiness ?? 'default';
  return rollout > 0 && rollout < 100 && (stickiness === 'default' || stickiness === 'random') ? rollout : undefined;
}

/**
 * Asks Unleash whether maintenance is on for a request. The flag's shape and scheduled window are read from
 * its definition and kept until Unleash replaces that definition (the flag-off path pays for them once per
 * definition, not per request), so a plain on/off flag costs one `isEnabled` call with a shared empty
 * context. Every answer still goes through `isEnabled`/`getVariant`, so Unleash's usage metrics stay true.
 */
export function createFlagReader(options: FlagReaderOptions): FlagReader {
  const { unleash, flagName, fallback, override, parsePayload, report, noticeSeconds, now = Date.now } = options;
  let lastDefinition: FeatureDefinition | undefined;
  let lastReading = ABSENT_READING;
  let warnedAbout: FeatureDefinition | undefined;

  function readingOf(definition: FeatureDefinition): Reading {
    const shape = shapeOf(definition);
    const schedule = scheduleOf(definition, parsePayload, noticeSeconds);
    return schedule ? { shape, schedule } : { shape };
  }

  /**
   * A definition that cannot be read or is malformed (`strategies: {}`, `[null]`: Unleash keeps such data and
   * only emits an error) costs the shortcuts, never the request: Unleash is asked as for an unknown client.
   */
  function currentReading(): Reading {
    if (typeof unleash.getFeatureToggleDefinition !== 'function') return UNKNOWN_READING;
    try {
      const definition = unleash.getFeatureToggleDefinition(flagName);
      if (definition !== lastDefinition) {
        lastReading = definition ? readingOf(definition) : ABSENT_READING;
        lastDefinition = definition;
      }
      return lastReading;
    } catch (error) {
      report('error', 'unleash-definition', `reading the definition of "${flagName}" failed; asking Unleash without shortcuts`, error);
      return UNKNOWN_READING;
    }
  }

  /** Once per definition: a partial rollout on a coin toss makes visitors flip between the page and the site. */
  function warnOfCoinToss(rollout: number, context: UnleashContext): void {
    if (warnedAbout === lastDefinition || context.userId || context.sessionId) return;
    warnedAbout = lastDefinition;
    report('warn', 'coin-toss-rollout', `the gradual rollout (${rollout}%) of "${flagName}" has stickiness default or random, and requests carry no userId or sessionId: each request is a new coin toss, so visitors flip between the page and the site. Set the strategy's stickiness to remoteAddress (unleash-maintenance on --rollout does), or give the context option a userId or sessionId`);
  }

  /** Off, with what the request's pages should announce: a scheduled window during its notice time, the scopes closed elsewhere. */
  function offAnswer({ schedule }: Reading, context: UnleashContext): FlagAnswer {
    if (schedule === undefined) return OFF;
    const { upcoming, closed } = schedule.at(now(), context);
    if (upcoming === undefined && closed.length === 0) return OFF;
    const state: { -readonly [key in keyof MaintenanceState]: MaintenanceState[key] } = { ...OFF_STATE };
    if (upcoming) state.upcoming = upcoming;
    if (closed.length > 0) state.closed = closed;
    return { on: false, state: Object.freeze(state) };
  }

  function variantAnswer(context: UnleashContext, reading: Reading): FlagAnswer {
    const variant = unleash.getVariant(flagName, context);
    return variant.feature_enabled ? { on: true, payload: parsePayload(variant.payload) } : offAnswer(reading, context);
  }

  /** Maintenance is already on here: a failing `getVariant` costs the custom texts, never the 503. */
  function payloadAnswer(context: UnleashContext): FlagAnswer {
    try {
      return { on: true, payload: parsePayload(unleash.getVariant(flagName, context).payload) };
    } catch (error) {
      report('error', 'unleash-variant', `reading the variant of "${flagName}" failed; showing the default texts`, error);
      return ON_WITHOUT_PAYLOAD;
    }
  }

  function askUnleash(request: ContextSource): FlagAnswer {
    const reading = currentReading();
    const { shape } = reading;
    const context = shape.contextFree ? EMPTY_CONTEXT : request.unleashContext();
    if (shape.randomRollout !== undefined) warnOfCoinToss(shape.randomRollout, context);
    if (shape.hasVariants && shape !== UNKNOWN_CLIENT) return variantAnswer(context, reading);
    if (!unleash.isEnabled(flagName, context, fallback)) return offAnswer(reading, context);
    return shape === UNKNOWN_CLIENT ? payloadAnswer(context) : ON_WITHOUT_PAYLOAD;
  }

  if (override !== undefined) {
    const answer = override ? ON_WITHOUT_PAYLOAD : OFF;
    return () => answer; // Unleash is not asked, so nothing of the request matters
  }
  return function askFlag(request) {
    try {
      return askUnleash(request);
    } catch (error) {
      report('error', 'unleash', `asking Unleash for "${flagName}" failed; answering with fallback (${fallback})`, error);
      return fallback ? ON_WITHOUT_PAYLOAD : OFF;
    }
  };
}
