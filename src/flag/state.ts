/**
 * `block`: every request meets the 503. `read-only`: safe methods pass, unsafe ones meet the 503. `pause`: a
 * request the rules would block is held until maintenance ends (then it goes on to the app) or for at most
 * `maxPause` (then the 503, as in `block`).
 */
export type MaintenanceMode = 'block' | 'read-only' | 'pause';

/** How a 503 reads: a held request that waited too long gets the `block` page, since it is the same 503. */
export type AnswerMode = Exclude<MaintenanceMode, 'pause'>;

export function isMaintenanceMode(value: unknown): value is MaintenanceMode {
  return value === 'block' || value === 'read-only' || value === 'pause';
}

/** The part of the site a scoped maintenance closes, as pages name it: paths and host names, never property values. */
export interface ScopeArea {
  readonly paths: readonly string[];
  readonly hosts: readonly string[];
  /** The payload's `area` (`Checkout`), else the paths (`/checkout, /cart`), else the host names. */
  readonly name: string;
}

/** A window that has not started yet, as `ctx.state.maintenance.upcoming` shows it during its notice time. */
export interface UpcomingWindow {
  /** The part of the site it will close; absent: the whole site. */
  readonly scope?: ScopeArea;
  readonly from: Date;
  readonly until?: Date;
  readonly title?: string;
  readonly message?: string;
  /**
   * The announcement in each shipped language (`en`, `de`, `fr`, `es`), plain text, e.g. `Scheduled maintenance
   * on Thursday 3 December, 22:00–23:00 UTC`; what `maintenanceBanner` and the Pug mixin show.
   */
  readonly announcement: Readonly<Record<'en' | 'de' | 'fr' | 'es', string>>;
}

/**
 * A scoped maintenance that is on now while this request's part of the site is open, as `ctx.state.maintenance.closed`
 * lists them: `/checkout` is closed, the request was for `/products`.
 */
export interface ClosedArea {
  readonly scope: ScopeArea;
  readonly until?: Date;
  readonly title?: string;
  readonly message?: string;
  /** Plain text in each shipped language: `Checkout is closed for maintenance until Thursday 3 December, 22:00 UTC.` */
  readonly announcement: Readonly<Record<'en' | 'de' | 'fr' | 'es', string>>;
}

/**
 * Why a request was or was not blocked: `bypass-secret` (the staff link's cookie, the `X-Maintenance-Bypass`
 * header, or the link itself), `health` (a health-check path), `read-only` (a safe method in read-only mode),
 * `paused` (held in pause mode, then let through once maintenance no longer blocked it).
 */
export type MaintenanceReason = 'off' | 'skipped' | 'bypass-ip' | 'bypass-secret' | 'health' | 'allowed-url' | 'read-only' | 'blocked' | 'paused';

/** Recorded on `ctx.state.maintenance` for every request the middleware sees. */
export interface MaintenanceState {
  /** Whether maintenance was on for this request (even if it was let through). */
  readonly active: boolean;
  readonly reason: MaintenanceReason;
  /** The resolved client IP, when it was needed; `undefined` otherwise or when unknown. */
  readonly clientIp: string | undefined;
  /** This window's mode (the payload's, else the option's) whenever maintenance is on; absent while it is off. */
  readonly mode?: MaintenanceMode;
  /** While maintenance is off: a scheduled window during its notice time (announce it: `maintenanceBanner`). */
  readonly upcoming?: UpcomingWindow;
  /** While maintenance is off for this request: the scopes closed now elsewhere on the site (`maintenanceBanner` names them). */
  readonly closed?: readonly ClosedArea[];
  /**
   * Pause mode: how long the request was held, in whole milliseconds; with `reason: 'paused'` once it went on
   * to the app, with `reason: 'blocked'` when it got the 503 after `maxPause` (or its client hung up).
   */
  readonly pausedMs?: number;
}
