import { optionError } from '../option-error.js';

/** Whole seconds, or a whole number with a unit: `'90s'`, `'30m'`, `'12h'`, `'7d'`. */
export type Duration = number | `${number}${'s' | 'm' | 'h' | 'd'}`;

const SECONDS_PER_UNIT: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
const WITH_UNIT = /^(\d{1,9})\s*([smhd])$/;

/** An upper bound and the reason for it, which the error message gives. */
export interface DurationLimit {
  readonly seconds: number;
  readonly reason: string;
}

/** The one duration parser: whole seconds (a number) or `'90s'`, `'30m'`, `'12h'`, `'7d'`; `undefined` for anything else. */
export function secondsOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = WITH_UNIT.exec(value.trim());
  return match ? Number(match[1]) * (SECONDS_PER_UNIT[match[2] as string] as number) : undefined;
}

/**
 * A duration typed on a command line, with its unit and nothing between (`'30m'`; a bare number has no unit
 * here), in milliseconds; else `undefined`.
 */
export function millisecondsOfText(text: string): number | undefined {
  const seconds = /^\d+[smhd]$/.test(text.trim()) ? secondsOf(text) : undefined;
  return seconds === undefined ? undefined : seconds * 1000;
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
