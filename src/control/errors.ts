/** Why Unleash did not do what was asked. */
export type UnleashFailureKind =
  | 'unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'unknown-project'
  | 'unknown-environment'
  | 'rejected'
  | 'not-served'
  | 'unleash-maintenance'
  | 'not-unleash-api';

/** Unleash refused the request or could not be reached. The message never contains a token. */
export class UnleashError extends Error {
  override readonly name = 'UnleashError';
  constructor(
    readonly kind: UnleashFailureKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A value passed to `MaintenanceControl` is unusable; `option` names it. */
export class ControlInputError extends TypeError {
  override readonly name = 'ControlInputError';
  constructor(
    readonly option: string,
    readonly problem: string,
  ) {
    super(`${option} ${problem}`);
  }
}
