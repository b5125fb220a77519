import type { Context as UnleashContext } from 'unleash-client';
import type { MaintenancePayload, PayloadParser, VariantPayload } from '../flag/payload.js';
import { HOSTNAME_FIELD, scopeOfConstraints, type MaintenanceScope } from '../flag/scope.js';
import type { ClosedArea, ScopeArea, UpcomingWindow } from '../flag/state.js';
import { constraintsCanPass, windowOfConstraints } from '../flag/window.js';
import { announcementIn, closedIn, SHIPPED_LANGUAGES, type Language } from './locales.js';

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

/** One strategy's window as pages announce it; times in ms since the epoch. */
interface AnnouncedWindow {
  readonly from: number;
  readonly until: number;
  /** From then until `from`, requests it admits see it as `upcoming`. */
  readonly announceFrom: number;
  readonly upcoming: UpcomingWindow | undefined;
  /** A scope's: while it is on, requests it admits (the other paths) see it as `closed`. */
  readonly closed: ClosedArea | undefined;
  readonly scope: MaintenanceScope | undefined;
}

/** What pages announce at a time, to a request with this Unleash context. */
export interface Announcements {
  readonly upcoming: UpcomingWindow | undefined;
  readonly closed: readonly ClosedArea[];
}

/** The announced windows of one flag definition, read once; `at()` picks what a request sees now. */
export interface Schedule {
  at(time: number, context: UnleashContext): Announcements;
}

function windowPayload(feature: ScheduledDefinition, strategy: ScheduledStrategy, parsePayload: PayloadParser): MaintenancePayload {
  const [variant] = (strategy.variants?.length ? strategy.variants : feature.variants ?? []) as readonly ({ payload?: VariantPayload } | null)[];
  return parsePayload(variant?.payload);
}

function perLanguage(sentence: (lang: Language) => string, message: string | undefined): Readonly<Record<Language, string>> {
  return Object.freeze(Object.fromEntries(SHIPPED_LANGUAGES.map((lang) => {
    const text = `${sentence(lang)}.`;
    return [lang, message === undefined ? text : `${text} ${message}`];
  })) as Record<Language, string>);
}

function areaOf(scope: MaintenanceScope, payload: MaintenancePayload): ScopeArea | undefined {
  // Only requests of its hosts see a scope, so its paths name it, else its hosts. A scope of property values
  // only (a tenant) is announced without naming them: they may be customers' names.
  const named = scope.paths.length > 0 ? scope.paths : scope.hosts;
  const name = payload.area ?? (named.length > 0 ? named.join(', ') : undefined);
  return name === undefined ? undefined : Object.freeze({ paths: scope.paths, hosts: scope.hosts, name });
}

function upcomingOf(from: Date, until: Date | undefined, payload: MaintenancePayload, area: ScopeArea | undefined): UpcomingWindow {
  const announcement = perLanguage((lang) => announcementIn(lang, from, until, area?.name), payload.message);
  const upcoming: { -readonly [key in keyof UpcomingWindow]: UpcomingWindow[key] } = { from, announcement };
  if (area) upcoming.scope = area;
  if (until) upcoming.until = until;
  if (payload.title !== undefined) upcoming.title = payload.title;
  if (payload.message !== undefined) upcoming.message = payload.message;
  return Object.freeze(upcoming);
}

function closedOf(area: ScopeArea, until: Date | undefined, payload: MaintenancePayload): ClosedArea {
  const closed: { -readonly [key in keyof ClosedArea]: ClosedArea[key] } = {
    scope: area,
    announcement: perLanguage((lang) => closedIn(lang, area.name, until), payload.message),
  };
  if (until) closed.until = until;
  if (payload.title !== undefined) closed.title = payload.title;
  if (payload.message !== undefined) closed.message = payload.message;
  return Object.freeze(closed);
}

/**
 * A strategy Unleash can switch on (`constraintsCanPass`), read as a window: a start (`DATE_AFTER` on
 * `currentTime`, written by `unleash-maintenance on --from` or typed in the Unleash UI) announced from its
 * notice (the payload's, else `noticeSeconds`), and, for a scope, what is closed while it is on.
 */
function announcedWindow(feature: ScheduledDefinition, strategy: ScheduledStrategy, parsePayload: PayloadParser, noticeSeconds: number): AnnouncedWindow | undefined {
  const { from, until: end } = windowOfConstraints(strategy.constraints);
  if (from && end && end <= from) return undefined;
  const scope = scopeOfConstraints(strategy.constraints)?.scope;
  if (!from && !scope) return undefined;
  const payload = windowPayload(feature, strategy, parsePayload);
  // A payload's end before the start says nothing about this window.
  const until = end ?? (payload.until && (!from || payload.until > from) ? payload.until : undefined);
  const area = scope && areaOf(scope, payload);
  const start = from?.getTime() ?? Number.NEGATIVE_INFINITY;
  return {
    from: start,
    until: end?.getTime() ?? Number.POSITIVE_INFINITY,
    announceFrom: start - (payload.notice ?? noticeSeconds) * 1000,
    upcoming: from && upcomingOf(from, until, payload, area),
    closed: area && closedOf(area, until, payload),
    scope,
  };
}

/** `context[name]`, else `context.properties[name]`, as unleash-client resolves a constraint's field. */
function contextValue(context: UnleashContext, name: string): unknown {
  const value = (context as Record<string, unknown>)[name];
  return value ?? context.properties?.[name];
}

/** Whether a request is in a scope's hosts and property values; its paths are what the banner names. */
function admits(scope: MaintenanceScope | undefined, context: UnleashContext): boolean {
  if (!scope) return true;
  if (scope.hosts.length > 0 && !scope.hosts.includes(contextValue(context, HOSTNAME_FIELD) as string)) return false;
  return Object.entries(scope.properties).every(([name, values]) => values.includes(contextValue(context, name) as string));
}

const NOTHING: Announcements = Object.freeze({ upcoming: undefined, closed: Object.freeze([]) });

/**
 * The windows a flag definition announces, read once per definition (requests only compare the clock and
 * their context with them): scheduled windows during their notice time, earliest start first, and the scopes
 * that are on, so pages still open can say what is closed. `undefined` when there is nothing to announce.
 */
export function scheduleOf(feature: ScheduledDefinition, parsePayload: PayloadParser, noticeSeconds: number): Schedule | undefined {
  if (!feature.enabled || !Array.isArray(feature.strategies)) return undefined;
  const windows: AnnouncedWindow[] = [];
  for (const strategy of feature.strategies as readonly (ScheduledStrategy | null)[]) {
    if (!strategy || typeof strategy !== 'object' || strategy.disabled || !constraintsCanPass(strategy.constraints)) continue;
    const window = announcedWindow(feature, strategy, parsePayload, noticeSeconds);
    if (window) windows.push(window);
  }
  if (windows.length === 0) return undefined;
  windows.sort((a, b) => a.from - b.from);
  return {
    at(time, context) {
      let upcoming: UpcomingWindow | undefined;
      const closed: ClosedArea[] = [];
      for (const window of windows) {
        if (time < window.announceFrom || time >= window.until || !admits(window.scope, context)) continue;
        if (time < window.from) upcoming ??= window.upcoming;
        else if (window.closed) closed.push(window.closed);
      }
      return upcoming === undefined && closed.length === 0 ? NOTHING : { upcoming, closed: Object.freeze(closed) };
    },
  };
}
