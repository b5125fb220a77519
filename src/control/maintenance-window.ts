import { secondsOf } from '../flag/duration.js';
import { DEFAULT_NOTICE_SECONDS, MAX_NOTICE_SECONDS, MAX_PAUSE_SECONDS, PAYLOAD_LIMITS } from '../flag/payload.js';
import type { MaintenanceScope } from '../flag/scope.js';
import { isMaintenanceMode, type MaintenanceMode } from '../flag/state.js';
import { ControlInputError } from './errors.js';
import { resolveScope } from './scope-options.js';
import type { EnableOptions } from './types.js';
import { resolveTime, resolveUntil } from './until.js';

/** The validated content of one `enable()`: what goes into the strategy and its variant payload. */
export interface MaintenanceWindow {
  rollout: number;
  stickiness: string;
  /** The part of the site it closes; `undefined`: the whole site. */
  scope?: MaintenanceScope;
  /** The fields the middleware reads from the variant payload; absent ones are left out. */
  payload: { title?: string; message?: string; area?: string; retryAfter?: number; until?: string; from?: string; notice?: number; mode?: MaintenanceMode; maxPause?: number };
}

/**
 * The stickiness of a partial rollout unless told: the middleware always puts the resolved client IP in the
 * context's `remoteAddress`, and unleash-client's flexibleRollout hashes any context field named as
 * stickiness (node_modules/unleash-client/lib/strategy/flexible-rollout-strategy.js: anything but `default`
 * and `random` goes to `resolveContextValue(context, stickiness)`), so one visitor address keeps one answer.
 * `default` would be a coin toss per request for apps that send no userId or sessionId.
 */
const PARTIAL_ROLLOUT_STICKINESS = 'remoteAddress';
/**
 * At 0 % and 100 % stickiness changes no answer, so `default` stays there: the same file answers "not
 * enabled" to a context that lacks the stickiness field (`if (!stickinessId) return false`), so with
 * `remoteAddress` a full maintenance would miss every request whose address is unknown (an app listening on
 * a Unix socket, another app or SDK reading the flag without an address).
 */
const WHOLE_ROLLOUT_STICKINESS = 'default';

/** Checks everything `enable()` was given before any request; each refusal is a `ControlInputError` naming the option. */
export function resolveMaintenanceWindow(options: EnableOptions, now: Date): MaintenanceWindow {
  const payload: MaintenanceWindow['payload'] = {};
  const title = optionalText(options.title, 'title', PAYLOAD_LIMITS.title);
  const message = optionalText(options.message, 'message', PAYLOAD_LIMITS.message);
  if (title !== undefined) payload.title = title;
  if (message !== undefined) payload.message = message;
  const area = optionalText(options.area, 'area', PAYLOAD_LIMITS.area);
  if (area !== undefined) payload.area = area;
  if (options.retryAfter !== undefined) payload.retryAfter = wholeNumberWithin(options.retryAfter, 'retryAfter', 0, Number.MAX_SAFE_INTEGER, 'a whole number of seconds, 0 or more');
  const rollout = options.rollout === undefined ? 100 : wholeNumberWithin(options.rollout, 'rollout', 0, 100, 'a whole percentage from 0 to 100');
  const until = options.until === undefined ? undefined : resolveUntil(options.until, now);
  if (until) payload.until = until.toISOString();
  if (options.from !== undefined) {
    const from = resolveTime(options.from, now, 'from');
    if (until && from.getTime() >= until.getTime()) {
      throw new ControlInputError('from', `must lie before until, got ${from.toISOString()} (until is ${until.toISOString()})`);
    }
    payload.from = from.toISOString();
    payload.notice = noticeSeconds(options.notice);
  } else if (options.notice !== undefined) {
    throw new ControlInputError('notice', 'only applies with from (when a scheduled window starts)');
  }
  if (options.mode !== undefined) payload.mode = modeOf(options.mode);
  if (options.maxPause !== undefined) {
    if (payload.mode !== 'pause') throw new ControlInputError('maxPause', 'only applies with mode pause');
    payload.maxPause = maxPauseSeconds(options.maxPause);
  }
  const scope = resolveScope(options.scope);
  return { rollout, stickiness: stickinessOf(options.stickiness, rollout), ...(scope ? { scope } : {}), payload };
}

function wholeNumberWithin(value: number, option: string, min: number, max: number, expected: string): number {
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

/** `notice`: a duration (whole seconds, or `30m`, `24h`), from 0 to 30 days; a day when absent. */
function noticeSeconds(value: string | number | undefined): number {
  if (value === undefined) return DEFAULT_NOTICE_SECONDS;
  const seconds = secondsOf(value);
  if (seconds === undefined || seconds < 0) {
    throw new ControlInputError('notice', `must be a duration such as 30m, 24h or 7d, or a number of whole seconds, got ${JSON.stringify(value)}`);
  }
  if (seconds > MAX_NOTICE_SECONDS) throw new ControlInputError('notice', `must be at most 30d (apps ignore a longer notice), got ${JSON.stringify(value)}`);
  return seconds;
}

function modeOf(value: unknown): MaintenanceMode {
  if (isMaintenanceMode(value)) return value;
  throw new ControlInputError('mode', `must be block, read-only or pause, got ${JSON.stringify(value)}`);
}

/** `maxPause`: a duration from 1 s to 60 s, the bounds apps read it with (a longer one they would ignore). */
function maxPauseSeconds(value: string | number): number {
  const seconds = secondsOf(value);
  if (seconds === undefined || seconds < 1 || seconds > MAX_PAUSE_SECONDS) {
    throw new ControlInputError('maxPause', `must be a duration from 1s to ${MAX_PAUSE_SECONDS}s, such as 15s or 30, got ${JSON.stringify(value)}`);
  }
  return seconds;
}

function stickinessOf(value: string | undefined, rollout: number): string {
  if (value === undefined) return rollout > 0 && rollout < 100 ? PARTIAL_ROLLOUT_STICKINESS : WHOLE_ROLLOUT_STICKINESS;
  if (!/^[A-Za-z_][\w.-]*$/.test(value)) {
    throw new ControlInputError('stickiness', `must be default, userId, sessionId, random or a context field name, got "${value}"`);
  }
  return value;
}
