import { payloadFields } from '../flag/payload.js';
import { describeScope, scopeConstraints, scopeKey, scopeOfConstraints, type MaintenanceScope } from '../flag/scope.js';
import type { Constraint, AdminStrategy } from './admin-types.js';
import type { MaintenanceWindow } from './maintenance-window.js';

/**
 * Marks the strategies this package manages, so a later `on` updates one instead of adding another: the whole
 * site's is titled `unleash-maintenance`, a scope's `unleash-maintenance: /checkout`.
 */
export const STRATEGY_TITLE = 'unleash-maintenance';
const VARIANT_NAME = 'maintenance';
const FULL_WEIGHT = 1000;

/**
 * The flexibleRollout strategy for a window; `from` and `until` become DATE_AFTER and DATE_BEFORE constraints
 * on currentTime, a scope its own constraints (`scopeConstraints`).
 */
export function strategyFor(flag: string, window: MaintenanceWindow): AdminStrategy {
  const { payload, scope } = window;
  return {
    name: 'flexibleRollout',
    title: scope ? `${STRATEGY_TITLE}: ${describeScope(scope)}` : STRATEGY_TITLE,
    disabled: false,
    parameters: { rollout: String(window.rollout), stickiness: window.stickiness, groupId: flag },
    constraints: [
      ...(scope ? scopeConstraints(scope).map((constraint) => ({ ...constraint, values: [...constraint.values] })) : []),
      ...(payload.from ? [timeConstraint('DATE_AFTER', payload.from)] : []),
      ...(payload.until ? [timeConstraint('DATE_BEFORE', payload.until)] : []),
    ],
    // Segments would add conditions `on` did not ask for (and that --wait could not recognise once inlined).
    segments: [],
    // A single variant with the whole weight: every request in maintenance gets the same payload.
    variants: Object.keys(payload).length === 0 ? [] : [
      {
        name: VARIANT_NAME,
        weight: FULL_WEIGHT,
        weightType: 'variable',
        stickiness: 'default',
        payload: { type: 'json', value: JSON.stringify(payload) },
      },
    ],
  };
}

/** A window's start (`DATE_AFTER`) or end (`DATE_BEFORE`), which the SDK checks against its clock on every request. */
function timeConstraint(operator: 'DATE_AFTER' | 'DATE_BEFORE', time: string): Constraint {
  return { contextName: 'currentTime', operator, value: time, values: [], inverted: false, caseInsensitive: false };
}

/** Whether this package wrote the strategy (a title it gives), for the whole site or for a scope. */
export function isManagedStrategy(strategy: AdminStrategy): boolean {
  return strategy.title === STRATEGY_TITLE || strategy.title?.startsWith(`${STRATEGY_TITLE}: `) === true;
}

/** The scope a strategy closes, read from its constraints; `undefined`: the whole site. */
function scopeOfStrategy(strategy: AdminStrategy): MaintenanceScope | undefined {
  return scopeOfConstraints(strategy.constraints)?.scope;
}

/**
 * The strategy `on` should overwrite for a scope: the one this package wrote for the same scope, else, when
 * `adoptLone`, the only strategy there is if this package did not write it (Unleash adds one when a flag is
 * switched on without any). With several foreign strategies none is touched and ours is added beside them.
 */
export function findManagedStrategy(strategies: readonly AdminStrategy[], scope?: MaintenanceScope, adoptLone = true): AdminStrategy | undefined {
  const key = scopeKey(scope);
  const ours = strategies.find((strategy) => isManagedStrategy(strategy) && scopeKey(scopeOfStrategy(strategy)) === key);
  if (ours) return ours;
  const [only] = strategies;
  return adoptLone && strategies.length === 1 && only && !isManagedStrategy(only) ? only : undefined;
}


/** The fields of the strategy's first variant payload, read as the middleware reads them, or an empty object. */
export function strategyPayload(strategy: AdminStrategy): Record<string, unknown> {
  return payloadFields(strategy.variants?.[0]?.payload) ?? {};
}
