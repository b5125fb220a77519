export { maintenance } from './middleware.js';
export type { MaintenanceReason, MaintenanceState } from './state.js';
export type { MaintenanceOptions } from './options.js';
export type { UnleashLike } from './flag.js';
export type { TrustProxy, TrustFunction } from './client-ip.js';
export type { MaintenanceLogger } from './reporter.js';
export type { MaintenancePayload } from './payload.js';
export { canonicalPath } from './path-matcher.js';
