// The admin client, `koa-unleash-maintenance/control`: an app that only mounts the middleware loads none of it.
export { MaintenanceControl, DEFAULT_PROJECT } from './maintenance-control.js';
export { DEFAULT_FLAG_NAME } from '../flag/payload.js';
export { UnleashError, ControlInputError, type UnleashFailureKind } from './errors.js';
export type {
  MaintenanceControlOptions,
  EnableOptions,
  DisableOptions,
  WaitOptions,
  EnvironmentStatus,
  FlagStatus,
  ScopeOptions,
  ScopeStatus,
  WindowStatus,
} from './types.js';
export type { MaintenanceScope } from '../flag/scope.js';
