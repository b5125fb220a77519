import type { EnvironmentStatus, FlagStatus } from '../control/index.js';

/** One line per environment, names aligned: `production  on  100% (stickiness default)  until ...  message "..."`. */
export function formatEnvironments(environments: readonly EnvironmentStatus[]): string {
  const width = Math.max(...environments.map((status) => status.environment.length));
  return environments.map((status) => `  ${status.environment.padEnd(width)}  ${describe(status)}`).join('\n');
}

export function formatFlagStatus(status: FlagStatus): string {
  const heading = status.exists
    ? `Flag "${status.flag}" in project "${status.project}":`
    : `Flag "${status.flag}" does not exist in project "${status.project}": maintenance is off everywhere.`;
  return `${heading}\n${formatEnvironments(status.environments)}`;
}

function describe(status: EnvironmentStatus): string {
  const window = details(status);
  if (!status.enabled) return window ? `off  (stored for next time: ${window})` : 'off';
  return window ? `${state(status)}  ${window}` : state(status);
}

function details(status: EnvironmentStatus): string {
  const parts: string[] = [];
  if (status.rollout !== null) parts.push(`${status.rollout}%${status.stickiness ? ` (stickiness ${status.stickiness})` : ''}`);
  if (status.until !== null) parts.push(`until ${status.until}`);
  if (status.retryAfter !== null) parts.push(`retry after ${status.retryAfter} s`);
  if (status.title !== null) parts.push(`title ${JSON.stringify(status.title)}`);
  if (status.message !== null) parts.push(`message ${JSON.stringify(status.message)}`);
  return parts.join('  ');
}

function state(status: EnvironmentStatus): string {
  return status.ended ? 'on, but the window has ended (no maintenance)' : 'on';
}
