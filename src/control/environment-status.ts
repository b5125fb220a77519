import { DEFAULT_NOTICE_SECONDS } from '../flag/payload.js';
import { isMaintenanceMode } from '../flag/state.js';
import { windowOfConstraints } from '../flag/window.js';
import type { FeatureEnvironment, AdminStrategy } from './admin-types.js';
import { findManagedStrategy, strategyPayload } from './strategy.js';
import type { EnvironmentStatus } from './types.js';

/** Reads one environment of the flag back into the terms of `enable()`; `now` decides scheduled, on or ended. */
export function environmentStatus(environment: string, state: FeatureEnvironment | undefined, now: Date): EnvironmentStatus {
  const strategies = (state?.strategies ?? []).filter((strategy) => !strategy.disabled);
  const strategy = findManagedStrategy(strategies);
  const payload = strategy ? strategyPayload(strategy) : {};
  const window = windowOfConstraints(strategy?.constraints);
  const until = window.until?.toISOString() ?? textOrNull(payload.until);
  const from = window.from?.toISOString() ?? null;
  const enabled = state?.enabled ?? false;
  const ended = until !== null && new Date(until).getTime() <= now.getTime();
  return {
    environment,
    enabled,
    rollout: strategy ? rolloutOf(strategy) : null,
    stickiness: strategy?.parameters?.stickiness ?? null,
    title: textOrNull(payload.title),
    message: textOrNull(payload.message),
    retryAfter: Number.isSafeInteger(payload.retryAfter) ? (payload.retryAfter as number) : null,
    until,
    ended,
    from,
    notice: from === null ? null : Number.isSafeInteger(payload.notice) ? (payload.notice as number) : DEFAULT_NOTICE_SECONDS,
    mode: isMaintenanceMode(payload.mode) ? payload.mode : null,
    maxPause: Number.isSafeInteger(payload.maxPause) ? (payload.maxPause as number) : null,
    state: !enabled ? 'off' : ended ? 'ended' : from !== null && new Date(from).getTime() > now.getTime() ? 'scheduled' : 'on',
  };
}

/** An environment the flag does not exist in yet. */
export function absentEnvironmentStatus(environment: string): EnvironmentStatus {
  return environmentStatus(environment, undefined, new Date(0));
}

function rolloutOf(strategy: AdminStrategy): number | null {
  if (strategy.name === 'default') return 100;
  if (strategy.name !== 'flexibleRollout') return null;
  const rollout = Number(strategy.parameters?.rollout);
  return Number.isFinite(rollout) ? rollout : null;
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
