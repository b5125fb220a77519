import type { MaintenancePayload, PayloadParser, VariantPayload } from '../flag/payload.js';
import type { UpcomingWindow } from '../flag/state.js';
import { constraintsCanPass, windowOfConstraints } from '../flag/window.js';
import { announcementIn, SHIPPED_LANGUAGES, type Language } from './locales.js';

/** What a schedule is read from: the slice of a flag definition it looks at. */
export interface ScheduledDefinition {
  readonly enabled: boolean;
  readonly variants?: readonly unknown[];
  readonly strategies?: readonly unknown[];
}

interface ScheduledStrategy {
  readonly disabled?: boolean;
  readonly constraints?: readonly unknown[];
  readonly variants?: readonly unknown[];
}

/** When a definition's scheduled window is announced and when it starts, in ms since the epoch. */
export interface Schedule {
  readonly announceFrom: number;
  readonly from: number;
  readonly upcoming: UpcomingWindow;
}

function windowPayload(feature: ScheduledDefinition, strategy: ScheduledStrategy, parsePayload: PayloadParser): MaintenancePayload {
  const [variant] = (strategy.variants?.length ? strategy.variants : feature.variants ?? []) as readonly ({ payload?: VariantPayload } | null)[];
  return parsePayload(variant?.payload);
}

function upcomingOf(from: Date, until: Date | undefined, payload: MaintenancePayload): UpcomingWindow {
  // A payload's end before the start says nothing about this window.
  const end = until ?? (payload.until && payload.until > from ? payload.until : undefined);
  const announcement = Object.freeze(Object.fromEntries(SHIPPED_LANGUAGES.map((lang) => {
    const sentence = `${announcementIn(lang, from, end)}.`;
    return [lang, payload.message === undefined ? sentence : `${sentence} ${payload.message}`];
  })) as Record<Language, string>);
  const upcoming: { -readonly [key in keyof UpcomingWindow]: UpcomingWindow[key] } = { from, announcement };
  if (end) upcoming.until = end;
  if (payload.title !== undefined) upcoming.title = payload.title;
  if (payload.message !== undefined) upcoming.message = payload.message;
  return Object.freeze(upcoming);
}

/**
 * The scheduled window a flag definition announces: a strategy of an enabled flag whose constraints open it
 * at a time (`DATE_AFTER` on `currentTime`, written by `unleash-maintenance on --from` or typed in the
 * Unleash UI), and only one Unleash can switch on (`constraintsCanPass`). The earliest start wins. Its notice is
 * the payload's, else `noticeSeconds` (the option).
 * Read once per definition: requests only compare the clock with the two times.
 */
export function scheduleOf(feature: ScheduledDefinition, parsePayload: PayloadParser, noticeSeconds: number): Schedule | undefined {
  if (!feature.enabled || !Array.isArray(feature.strategies)) return undefined;
  let earliest: Schedule | undefined;
  for (const strategy of feature.strategies as readonly (ScheduledStrategy | null)[]) {
    if (!strategy || typeof strategy !== 'object' || strategy.disabled || !constraintsCanPass(strategy.constraints)) continue;
    const { from, until } = windowOfConstraints(strategy.constraints);
    if (!from || (until && until <= from)) continue;
    if (earliest && earliest.from <= from.getTime()) continue;
    const payload = windowPayload(feature, strategy, parsePayload);
    const notice = payload.notice ?? noticeSeconds;
    earliest = { from: from.getTime(), announceFrom: from.getTime() - notice * 1000, upcoming: upcomingOf(from, until, payload) };
  }
  return earliest;
}
