import { optionError } from './option-error.js';
import type { MaintenancePayload } from './payload.js';

/** `block`: every request meets the 503. `read-only`: safe methods pass, unsafe ones meet the 503. */
export type MaintenanceMode = 'block' | 'read-only';

/** RFC 9110 §9.2.1 safe methods, plus OPTIONS (CORS preflights). Everything else changes something. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isMaintenanceMode(value: unknown): value is MaintenanceMode {
  return value === 'block' || value === 'read-only';
}

export interface ReadOnlyGate {
  /** This window's mode: the variant payload's `mode`, else the option. */
  modeOf(payload: MaintenancePayload): MaintenanceMode;
  /** Whether `method` may pass in `mode`: only safe methods, and only in read-only mode. */
  letsThrough(method: string, mode: MaintenanceMode): boolean;
}

/** Compiles the `mode` option (default `'block'`) once; a bad value is a TypeError naming it. */
export function createReadOnlyGate(option: unknown): ReadOnlyGate {
  if (option !== undefined && !isMaintenanceMode(option)) throw optionError('mode', option, "is not 'block' or 'read-only'");
  const fallback: MaintenanceMode = option ?? 'block';
  return {
    modeOf: (payload) => payload.mode ?? fallback,
    letsThrough: (method, mode) => mode === 'read-only' && SAFE_METHODS.has(method),
  };
}
