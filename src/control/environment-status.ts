import { DEFAULT_NOTICE_SECONDS } from '../flag/payload.js';
import { describeScope, scopeOfConstraints } from '../flag/scope.js';
import { isMaintenanceMode } from '../flag/state.js';
import { windowOfConstraints } from '../flag/window.js';
import type { FeatureEnvironment, AdminStrategy } from './admin-types.js';
import { findManagedStrategy, isManagedStrategy, strategyPayload } from './strategy.js';
import type { EnvironmentStatus, ScopeStatus, WindowStatus } from './types.js';

const STATE_ORDER: readonly WindowStatus['state'][] = ['on', 'scheduled', 'ended', 'off'];

/** Reads one environment of the flag back into the terms of `enable()`; `now` decides scheduled, on or ended. */
export function environmentStatus(environment: string, state: FeatureEnvironment | undefined, now: Date): EnvironmentStatus {
  const enabled = state?.enabled ?? false;
  const strategies = (state?.strategies ?? []).filter((strategy) => !strategy.disabled);
  const scopes = strategies.map((strategy) => scopeStatus(strategy, enabled, now));
  const primary = findManagedStrategy(strategies) ?? strategies.find(isManagedStrategy);
  const window = windowStatus(primary, enabled, now);
  const environmentState = enabled ? (STATE_ORDER.find((candidate) => scopes.some((scope) => scope.state === candidate)) ?? window.state) : 'off';
  return { environment, enabled, ...window, state: environmentState, scopes };
}

/** An environment the flag does not exist in yet. */
export function absentEnvironmentStatus(environment: string): EnvironmentStatus {
  return environmentStatus(environment, undefined, new Date(0));
}

function scopeStatus(strategy: AdminStrategy, enabled: boolean, now: Date): ScopeStatus {
  const read = scopeOfConstraints(strategy.constraints);
  return { scope: read?.scope ?? null, description: describeScope(read?.scope, read?.unread), ...windowStatus(strategy, enabled, now) };
}

function windowStatus(strategy: AdminStrategy | undefined, enabled: boolean, now: Date): WindowStatus {
  const payload = strategy ? strategyPayload(strategy) : {};
  const window = windowOfConstraints(strategy?.constraints);
  const until = window.until?.toISOString() ?? textOrNull(payload.until);
  const from = window.from?.toISOString() ?? null;
  const ended = until !== null && new Date(until).getTime() <= now.getTime();
  return {
    rollout: strategy ? rolloutOf(strategy) : null,
    stickiness: strategy?.parameters?.stickiness ?? null,
    title: textOrNull(payload.title),
    message: textOrNull(payload.message),
    area: textOrNull(payload.area),
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


function rolloutOf(strategy: AdminStrategy): number | null {
  if (strategy.name === 'default') return 100;
  if (strategy.name !== 'flexibleRollout') return null;
  const rollout = Number(strategy.parameters?.rollout);
  return Number.isFinite(rollout) ? rollout : null;
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
