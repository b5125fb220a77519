import { optionError } from '../option-error.js';

/**
 * A duration, in the one grammar of this package (docs/command.md#durations), used by the middleware's options
 * and every command flag: whole seconds, as a number or digits (`90`, `'3600'`), or a whole number with a unit
 * s, m, h or d and nothing between (`'90s'`, `'30m'`, `'12h'`, `'7d'`).
 */
export type Duration = number | `${number}` | `${number}${'s' | 'm' | 'h' | 'd'}`;

const SECONDS_PER_UNIT: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 };
/** No sign, no fraction, no space inside; at most nine digits, so the seconds stay a safe integer. */
const DURATION = /^(\d{1,9})([smhd]?)$/;

/** An upper bound and the reason for it, which the error message gives. */
export interface DurationLimit {
  readonly seconds: number;
  readonly reason: string;
}

/**
 * The one duration parser: a whole number (seconds) or a text in the grammar above, surrounding spaces
 * ignored, as whole seconds; `undefined` for anything else.
 */
export function secondsOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DURATION.exec(value.trim());
  return match ? Number(match[1]) * (SECONDS_PER_UNIT[match[2] as string] as number) : undefined;
}

/**
 * Reads a duration option as whole seconds, at least 1 and at most `limit.seconds`; anything else is a
 * TypeError naming the option. Compiled once at start, never per request.
 */
export function optionSeconds(name: string, value: unknown, limit?: DurationLimit): number {
  const seconds = secondsOf(value);
  if (seconds === undefined || seconds < 1) {
    throw optionError(name, value, "is not a duration: whole seconds (1 or more) or a number with a unit, like '30m', '12h' or '7d'");
  }
  if (limit && seconds > limit.seconds) throw optionError(name, value, `is longer than ${limit.seconds} seconds (${limit.reason})`);
  return seconds;
}
