/** Why a request was or was not blocked. */
export type MaintenanceReason = 'off' | 'skipped' | 'bypass-ip' | 'allowed-url' | 'blocked';

/** Recorded on `ctx.state.maintenance` for every request the middleware sees. */
export interface MaintenanceState {
  /** Whether maintenance was on for this request (even if it was let through). */
  readonly active: boolean;
  readonly reason: MaintenanceReason;
  /** The resolved client IP, when it was needed; `undefined` otherwise or when unknown. */
  readonly clientIp: string | undefined;
}
