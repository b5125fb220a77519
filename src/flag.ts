import type { Context as UnleashContext } from 'unleash-client';
import { NO_PAYLOAD, type MaintenancePayload, type PayloadParser, type VariantPayload } from './payload.js';
import type { Report } from './reporter.js';

/** What the middleware reads of a flag definition (a structural slice of unleash-client's FeatureDefinition). */
export interface FeatureDefinition {
  enabled: boolean;
  impressionData?: boolean;
  variants?: readonly unknown[];
  dependencies?: readonly unknown[];
  strategies?: readonly {
    name: string;
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
}

/** `false` while maintenance is off; otherwise what the flag's variant payload says. */
export type FlagAnswer = false | { readonly payload: MaintenancePayload };

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
}

/** How Unleash must be asked about a flag, read from its definition. */
export interface FlagShape {
  /** No strategy, constraint, segment, dependency or impression event can see the context. */
  readonly contextFree: boolean;
  /** Variants exist, so `getVariant` both decides and gives the payload (one metrics count, not two). */
  readonly hasVariants: boolean;
}

const UNKNOWN_CLIENT: FlagShape = { contextFree: false, hasVariants: true };
const ABSENT_FLAG: FlagShape = { contextFree: true, hasVariants: false };
const EMPTY_CONTEXT: UnleashContext = Object.freeze({}) as UnleashContext;
const ON_WITHOUT_PAYLOAD: FlagAnswer = Object.freeze({ payload: NO_PAYLOAD });

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
  return { contextFree, hasVariants };
}

/**
 * Asks Unleash whether maintenance is on for a request. The flag's shape is read from its definition and kept
 * until Unleash replaces that definition (the flag-off path pays for the shape once per definition, not per
 * request), so a plain on/off flag costs one `isEnabled` call with a shared empty context. Every answer still
 * goes through `isEnabled`/`getVariant`, so Unleash's usage metrics stay true.
 */
export function createFlagReader(options: FlagReaderOptions): FlagReader {
  const { unleash, flagName, fallback, override, parsePayload, report } = options;
  let lastDefinition: FeatureDefinition | undefined;
  let lastShape = ABSENT_FLAG;

  /**
   * A definition that cannot be read or is malformed (`strategies: {}`, `[null]`: Unleash keeps such data and
   * only emits an error) costs the shortcuts, never the request: Unleash is asked as for an unknown client.
   */
  function currentShape(): FlagShape {
    if (typeof unleash.getFeatureToggleDefinition !== 'function') return UNKNOWN_CLIENT;
    try {
      const definition = unleash.getFeatureToggleDefinition(flagName);
      if (definition !== lastDefinition) {
        lastShape = definition ? shapeOf(definition) : ABSENT_FLAG;
        lastDefinition = definition;
      }
      return lastShape;
    } catch (error) {
      report('error', 'unleash-definition', `reading the definition of "${flagName}" failed; asking Unleash without shortcuts`, error);
      return UNKNOWN_CLIENT;
    }
  }

  function variantAnswer(context: UnleashContext): FlagAnswer {
    const variant = unleash.getVariant(flagName, context);
    return variant.feature_enabled ? { payload: parsePayload(variant.payload) } : false;
  }

  /** Maintenance is already on here: a failing `getVariant` costs the custom texts, never the 503. */
  function payloadAnswer(context: UnleashContext): FlagAnswer {
    try {
      return { payload: parsePayload(unleash.getVariant(flagName, context).payload) };
    } catch (error) {
      report('error', 'unleash-variant', `reading the variant of "${flagName}" failed; showing the default texts`, error);
      return ON_WITHOUT_PAYLOAD;
    }
  }

  function askUnleash(request: ContextSource): FlagAnswer {
    const shape = currentShape();
    const context = shape.contextFree ? EMPTY_CONTEXT : request.unleashContext();
    if (shape.hasVariants && shape !== UNKNOWN_CLIENT) return variantAnswer(context);
    if (!unleash.isEnabled(flagName, context, fallback)) return false;
    return shape === UNKNOWN_CLIENT ? payloadAnswer(context) : ON_WITHOUT_PAYLOAD;
  }

  if (override !== undefined) {
    const answer = override ? ON_WITHOUT_PAYLOAD : false;
    return () => answer; // Unleash is not asked, so nothing of the request matters
  }
  return function decide(request) {
    try {
      return askUnleash(request);
    } catch (error) {
      report('error', 'unleash', `asking Unleash for "${flagName}" failed; answering with fallback (${fallback})`, error);
      return fallback ? ON_WITHOUT_PAYLOAD : false;
    }
  };
}
