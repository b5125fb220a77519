import { payloadFields } from '../flag/payload.js';
import type { Constraint, AdminStrategy } from './admin-types.js';
import type { MaintenanceWindow } from './maintenance-window.js';

/** Marks the strategy this package manages, so a later `on` updates it instead of adding another. */
export const STRATEGY_TITLE = 'unleash-maintenance';
const VARIANT_NAME = 'maintenance';
const FULL_WEIGHT = 1000;

/** The flexibleRollout strategy for a window; `from` and `until` become DATE_AFTER and DATE_BEFORE constraints on currentTime. */
export function strategyFor(flag: string, window: MaintenanceWindow): AdminStrategy {
  const { payload } = window;
  return {
    name: 'flexibleRollout',
    title: STRATEGY_TITLE,
    disabled: false,
    parameters: { rollout: String(window.rollout), stickiness: window.stickiness, groupId: flag },
    constraints: [...(payload.from ? [timeConstraint('DATE_AFTER', payload.from)] : []), ...(payload.until ? [timeConstraint('DATE_BEFORE', payload.until)] : [])],
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

/**
 * The strategy `on` should overwrite: the one titled by this package, else the
 * only strategy there is (Unleash adds one when a flag is switched on without any).
 * With several foreign strategies none is touched and ours is added beside them.
 */
export function findManagedStrategy(strategies: readonly AdminStrategy[]): AdminStrategy | undefined {
  return strategies.find((strategy) => strategy.title === STRATEGY_TITLE) ?? (strategies.length === 1 ? strategies[0] : undefined);
}


/** The fields of the strategy's first variant payload, read as the middleware reads them, or an empty object. */
export function strategyPayload(strategy: AdminStrategy): Record<string, unknown> {
  return payloadFields(strategy.variants?.[0]?.payload) ?? {};
}
