/** `block`: every request meets the 503. `read-only`: safe methods pass, unsafe ones meet the 503. */
export type MaintenanceMode = 'block' | 'read-only';

export function isMaintenanceMode(value: unknown): value is MaintenanceMode {
  return value === 'block' || value === 'read-only';
}

/**
 * Why a request was or was not blocked: `bypass-secret` (the staff link's cookie, the `X-Maintenance-Bypass`
 * header, or the link itself), `health` (a health-check path), `read-only` (a safe method in read-only mode).
 */
export type MaintenanceReason = 'off' | 'skipped' | 'bypass-ip' | 'bypass-secret' | 'health' | 'allowed-url' | 'read-only' | 'blocked';

/** Recorded on `ctx.state.maintenance` for every request the middleware sees. */
export interface MaintenanceState {
  /** Whether maintenance was on for this request (even if it was let through). */
  readonly active: boolean;
  readonly reason: MaintenanceReason;
  /** The resolved client IP, when it was needed; `undefined` otherwise or when unknown. */
  readonly clientIp: string | undefined;
  /** This window's mode (the payload's, else the option's) whenever maintenance is on; absent while it is off. */
  readonly mode?: MaintenanceMode;
}
