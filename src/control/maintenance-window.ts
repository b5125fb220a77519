import { PAYLOAD_LIMITS } from '../payload.js';
import { resolveUntil } from './until.js';
import { ControlInputError } from './errors.js';
import type { EnableOptions } from './types.js';

/** The validated content of one `enable()`: what goes into the strategy and its variant payload. */
export interface MaintenanceWindow {
  rollout: number;
  stickiness: string;
  /** The fields the middleware reads from the variant payload; absent ones are left out. */
  payload: { title?: string; message?: string; retryAfter?: number; until?: string };
}


export function resolveMaintenanceWindow(options: EnableOptions, now: Date): MaintenanceWindow {
  const payload: MaintenanceWindow['payload'] = {};
  const title = optionalText(options.title, 'title', PAYLOAD_LIMITS.title);
  const message = optionalText(options.message, 'message', PAYLOAD_LIMITS.message);
  if (title !== undefined) payload.title = title;
  if (message !== undefined) payload.message = message;
  if (options.retryAfter !== undefined) payload.retryAfter = wholeNumber(options.retryAfter, 'retryAfter', 0, Number.MAX_SAFE_INTEGER, 'a whole number of seconds, 0 or more');
  if (options.until !== undefined) payload.until = resolveUntil(options.until, now).toISOString();
  return {
    rollout: options.rollout === undefined ? 100 : wholeNumber(options.rollout, 'rollout', 0, 100, 'a whole percentage from 0 to 100'),
    stickiness: stickinessOf(options.stickiness),
    payload,
  };
}

function wholeNumber(value: number, option: string, min: number, max: number, expected: string): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ControlInputError(option, `must be ${expected}, got ${value}`);
  }
  return value;
}

// The middleware ignores longer texts, so refuse them here rather than have them fail silently there.
function optionalText(value: string | undefined, option: string, max: number): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = String(value).trim();
  if (trimmed === '') throw new ControlInputError(option, 'must not be empty');
  if (trimmed.length > max) throw new ControlInputError(option, `must be at most ${max} characters, got ${trimmed.length}`);
  return trimmed;
}

function stickinessOf(value: string | undefined): string {
  if (value === undefined) return 'default';
  if (!/^[A-Za-z_][\w.-]*$/.test(value)) {
    throw new ControlInputError('stickiness', `must be default, userId, sessionId, random or a context field name, got "${value}"`);
  }
  return value;
}
