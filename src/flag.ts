import type { Context as UnleashContext } from 'unleash-client';
import type { MaintenancePayload, PayloadParser, VariantPayload } from './payload.js';
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

export interface FlagReader {
  /** The flag's shape for this request: read once, then handed to `ask` (one definition lookup per request). */
  shape(): FlagShape;
  /** `context` is needed only when the shape is not `contextFree`. */
  ask(shape: FlagShape, context: UnleashContext | undefined): FlagAnswer;
}

export interface FlagReaderOptions {
  unleash: UnleashLike;
  flagName: string;
  fallback: boolean;
  override: boolean | undefined;
  parsePayload: PayloadParser;
  report: Report;
}

export interface FlagShape {
  /** No strategy, constraint, segment, dependency or impression event can see the context. */
  readonly contextFree: boolean;
  /** Variants exist, so `getVariant` both decides and gives the payload (one metrics count, not two). */
  readonly hasVariants: boolean;
}

/** With `override` set Unleash is not asked, so nothing of the request matters. */
const OVERRIDDEN: FlagShape = { contextFree: true, hasVariants: false };
const UNKNOWN_CLIENT: FlagShape = { contextFree: false, hasVariants: true };
const ABSENT_FLAG: FlagShape = { contextFree: true, hasVariants: false };
const EMPTY_CONTEXT: UnleashContext = Object.freeze({}) as UnleashContext;
const ON_WITHOUT_PAYLOAD: FlagAnswer = Object.freeze({ payload: Object.freeze({}) });

function isUnconditional(strategy: NonNullable<FeatureDefinition['strategies']>[number]): boolean {
  return strategy.name === 'default' && !strategy.constraints?.length && !strategy.segments?.length && !strategy.variants?.length;
}

function shapeOf(feature: FeatureDefinition): FlagShape {
  const strategies = feature.strategies ?? [];
  const hasVariants = Boolean(feature.variants?.length) || strategies.some((strategy) => strategy.variants?.length);
  if (feature.dependencies?.length || feature.impressionData) return { contextFree: false, hasVariants };
  if (!feature.enabled) return { contextFree: true, hasVariants };
  const contextFree = !hasVariants && (strategies.length === 0 || strategies.some(isUnconditional));
  return { contextFree, hasVariants };
}

/**
 * Asks Unleash whether maintenance is on. The flag's shape is read from its definition and kept until
 * Unleash replaces that definition, so a plain on/off flag costs one `isEnabled` call with a shared
 * empty context. Every answer still goes through `isEnabled`/`getVariant`, so Unleash's usage metrics stay true.
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

  function askUnleash(shape: FlagShape, context: UnleashContext): FlagAnswer {
    if (shape.hasVariants && shape !== UNKNOWN_CLIENT) return variantAnswer(context);
    if (!unleash.isEnabled(flagName, context, fallback)) return false;
    return shape === UNKNOWN_CLIENT ? payloadAnswer(context) : ON_WITHOUT_PAYLOAD;
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

  return {
    shape: () => (override === undefined ? currentShape() : OVERRIDDEN),
    ask(shape, context) {
      if (override !== undefined) return override ? ON_WITHOUT_PAYLOAD : false;
      try {
        return askUnleash(shape, context ?? EMPTY_CONTEXT);
      } catch (error) {
        report('error', 'unleash', `asking Unleash for "${flagName}" failed; answering with fallback (${fallback})`, error);
        return fallback ? ON_WITHOUT_PAYLOAD : false;
      }
    },
  };
}
