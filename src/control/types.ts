import type { MaintenanceMode } from '../flag/state.js';
import type { MaintenanceScope } from '../flag/scope.js';
import type { ScopeOptions } from './scope-options.js';

export type { ScopeOptions } from './scope-options.js';

/** How to reach the Admin API and which flag to drive. */
export interface MaintenanceControlOptions {
  /** Base URL of Unleash, e.g. `https://unleash.example.com` (a trailing `/api` is fine too). */
  url: string;
  /** An admin API token or a personal access token. */
  token: string;
  /** Defaults to `default`. */
  project?: string;
  /** Defaults to `maintenance-mode`. */
  flag?: string;
  /** Per HTTP request; defaults to 10 000 ms. */
  requestTimeoutMs?: number;
}

/** What `enable()` writes into the flag's strategy. Every field is optional. */
export interface EnableOptions {
  /**
   * The part of the site to close (paths, host names, context property values), with its own window and texts
   * beside any other scope's; absent: the whole site. `enable()` while the flag is off starts afresh: strategies
   * this package wrote for other scopes are removed.
   */
  scope?: ScopeOptions;
  /** Percentage of requests (or users, by `stickiness`) in maintenance, 0 to 100; defaults to 100. */
  rollout?: number;
  /**
   * `default`, `userId`, `sessionId`, `random` or any context field. For a partial rollout (1 to 99) it defaults
   * to `remoteAddress`, the client IP the middleware resolves, so each visitor address keeps one answer with
   * nothing added to the app (visitors behind one NAT share it); at 0 and 100 to `default`, which changes no
   * answer there and, unlike `remoteAddress`, also holds requests whose address is unknown.
   */
  stickiness?: string;
  /** Shown as the page heading. */
  title?: string;
  /** Shown on the page and in the problem+json `detail`. */
  message?: string;
  /** With a scope: what pages still open call the closed part (`Checkout is closed for maintenance until …`); its paths and hosts otherwise. */
  area?: string;
  /** Whole seconds, sent as `Retry-After`. */
  retryAfter?: number;
  /** When maintenance ends by itself: a Date, an ISO 8601 time, or a duration from now (docs/command.md#durations) such as `30m` or `2h`. */
  until?: Date | string;
  /**
   * When a scheduled window starts (before `until`): a Date, an ISO 8601 time, or a duration from now. Until
   * then requests pass, and apps announce the window from `notice` before it. A time already past starts it at once.
   */
  from?: Date | string;
  /**
   * With `from`: how long before it apps announce the window, a duration (docs/command.md#durations): whole
   * seconds as a number or text, or `30m`, `24h`, `7d` (0: no announcement); defaults to `24h`.
   */
  notice?: string | number;
  /**
   * `block`, `read-only` or `pause`: written to the payload, so it wins over every app's `mode` option; absent,
   * each app's option decides.
   */
  mode?: MaintenanceMode;
  /** With `mode: 'pause'`: how long apps hold a request at most, a duration from 1 s to 60 s (`'15s'`, `15`); absent, each app's `maxPause` option. */
  maxPause?: string | number;
  wait?: WaitOptions;
}

export interface DisableOptions {
  /** Ends only this scope's maintenance (its strategy is removed; the flag goes off with the last one); absent: all of it. */
  scope?: ScopeOptions;
  wait?: WaitOptions;
}

/** Poll the client API until Unleash serves the new state. */
export interface WaitOptions {
  /** Backend (client) tokens, one serving each environment changed. */
  clientTokens: readonly string[];
  /** Defaults to 30 000 ms. */
  timeoutMs?: number;
}

/** One maintenance window as stored in a strategy of the flag. */
export interface WindowStatus {
  /** Percentage, or null when the strategy is not a percentage rollout this tool understands. */
  rollout: number | null;
  stickiness: string | null;
  title: string | null;
  message: string | null;
  area: string | null;
  retryAfter: number | null;
  /** ISO 8601 time after which the window no longer applies, or null. */
  until: string | null;
  /** True when `until` has passed: the flag may be on but no request sees maintenance. */
  ended: boolean;
  /** ISO 8601 time a scheduled window starts, or null. */
  from: string | null;
  /** With `from`: seconds before it that apps announce the window (the payload's, else 24 h), or null. */
  notice: number | null;
  /** The mode the payload sets (`block`, `read-only`, `pause`), or null: each app's `mode` option decides. */
  mode: MaintenanceMode | null;
  /** Pause mode: the seconds the payload lets apps hold a request, or null: each app's `maxPause` option. */
  maxPause: number | null;
  /** `off`; `scheduled` (on, its window still ahead); `on`; `ended` (on, its window over: `off` tidies it). */
  state: 'off' | 'scheduled' | 'on' | 'ended';
}

/** One strategy of the flag: the whole site's (`scope: null`) or a scope's, with its own window. */
export interface ScopeStatus extends WindowStatus {
  scope: MaintenanceScope | null;
  /** `/checkout on shop.example.com`, `the whole site`. */
  description: string;
}

/**
 * The maintenance of one environment as stored in Unleash. The window fields are the whole site's strategy
 * (else the first scope's); `state` is the environment's: `on` while any scope is on, else `scheduled` while
 * any is ahead. `scopes` lists every strategy that is not disabled, the whole site's included.
 */
export interface EnvironmentStatus extends WindowStatus {
  environment: string;
  /** The environment's on/off switch for the flag. */
  enabled: boolean;
  scopes: ScopeStatus[];
}

export interface FlagStatus {
  project: string;
  flag: string;
  /** False when the flag was never created: maintenance is off everywhere. */
  exists: boolean;
  environments: EnvironmentStatus[];
}
