export { maintenance } from './middleware.js';
export type { MaintenanceReason, MaintenanceState } from './state.js';
export type { MaintenanceOptions } from './options.js';
export type { UnleashLike } from './flag.js';
export type { TrustProxy, TrustFunction } from './client-ip.js';
export type { MaintenanceLogger } from './reporter.js';
export type { MaintenancePayload } from './payload.js';
export { DEFAULT_FLAG_NAME } from './payload.js';
export type { MaintenanceMode } from './state.js';
export type { BypassSecretOptions } from './bypass-secret.js';
export type { Duration } from './duration.js';
export type { Language } from './locales.js';
export { isNormalPath } from './path-matcher.js';
export { MaintenanceControl, UnleashError, ControlInputError } from './control/index.js';
export type {
  MaintenanceControlOptions, EnableOptions, DisableOptions, WaitOptions,
  EnvironmentStatus, FlagStatus, UnleashFailureKind,
} from './control/index.js';
