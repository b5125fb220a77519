export { MaintenanceControl, DEFAULT_FLAG, DEFAULT_PROJECT } from './maintenance-control.js';
export { UnleashError, ControlInputError, type UnleashFailureKind } from './errors.js';
export { parseDuration } from './duration.js';
export type {
  MaintenanceControlOptions,
  EnableOptions,
  DisableOptions,
  WaitOptions,
  EnvironmentStatus,
  FlagStatus,
} from './types.js';
