import { secondsOf } from '../flag/duration.js';
import { ControlInputError } from './errors.js';

// A date with a time, as the middleware's payload reader demands; the zone may be omitted (local time).
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/;

/**
 * Reads a point in time given as a Date, an ISO 8601 time or a duration from `now` (`3600`, `30m`, `2h`, `1d`:
 * the one grammar of src/flag/duration.ts).
 * Any time is accepted, past ones too: `from` may lie in the past (the window starts at once).
 */
export function resolveTime(value: Date | string, now: Date, option: string): Date {
  const time = typeof value === 'string' ? parseTimeText(value, now, option) : value;
  if (!(time instanceof Date) || Number.isNaN(time.getTime())) {
    throw new ControlInputError(option, 'must be a valid Date');
  }
  return time;
}

/** Reads `until` (a Date, an ISO 8601 time or a duration from `now`) and insists it lies in the future. */
export function resolveUntil(until: Date | string, now: Date, option = 'until'): Date {
  const end = resolveTime(until, now, option);
  if (end.getTime() <= now.getTime()) {
    throw new ControlInputError(option, `must lie in the future, got ${end.toISOString()} (now is ${now.toISOString()})`);
  }
  return end;
}

function parseTimeText(text: string, now: Date, option: string): Date {
  const seconds = secondsOf(text);
  if (seconds !== undefined) return new Date(now.getTime() + seconds * 1000);
  const time = ISO_TIME.test(text.trim()) ? new Date(text.trim()) : undefined;
  if (!time || Number.isNaN(time.getTime())) {
    throw new ControlInputError(option, `must be an ISO 8601 time (2030-01-31T22:00:00Z) or a duration from now (seconds, or 90s, 30m, 2h, 1d), got "${text}"`);
  }
  return time;
}
