import type { EnvironmentStatus, FlagStatus, WindowStatus } from '../control/index.js';

/**
 * One line per environment, names aligned: `production  scheduled (starts at …, in 2 h 10 min; …)  50% …`;
 * with scopes, the environment's state, then one line per scope with its own window.
 */
export function formatEnvironments(environments: readonly EnvironmentStatus[], now = new Date()): string {
  const width = Math.max(...environments.map((status) => status.environment.length));
  return environments.map((status) => {
    const heading = `  ${status.environment.padEnd(width)}  `;
    if (!status.scopes.some((scope) => scope.scope !== null)) return `${heading}${statusLine(status, now)}`;
    const scopes = status.scopes.map((scope) => `    ${scope.description}: ${statusLine(scope, now)}`);
    const count = status.scopes.length === 1 ? '1 scope' : `${status.scopes.length} scopes`;
    return [`${heading}${status.state}${status.enabled ? ` (${count})` : ''}`, ...scopes].join('\n');
  }).join('\n');
}

export function formatFlagStatus(status: FlagStatus, now = new Date()): string {
  const heading = status.exists
    ? `Flag "${status.flag}" in project "${status.project}":`
    : `Flag "${status.flag}" does not exist in project "${status.project}": maintenance is off everywhere.`;
  return `${heading}\n${formatEnvironments(status.environments, now)}`;
}

function statusLine(status: WindowStatus, now: Date): string {
  const window = details(status);
  if (status.state === 'off') return window ? `off  (stored for next time: ${window})` : 'off';
  const state = stateText(status, now);
  return window ? `${state}  ${window}` : state;
}

function stateText(status: WindowStatus, now: Date): string {
  switch (status.state) {
    case 'scheduled': {
      const from = new Date(status.from!);
      const announced = new Date(from.getTime() - (status.notice ?? 0) * 1000).toISOString();
      return `scheduled (starts at ${status.from}, in ${timeUntil(from, now)}; announced from ${announced})`;
    }
    case 'ended':
      return 'ended (the window is over but the switch is still on: "off" tidies it)';
    default:
      return status.until === null ? 'on' : `on (until ${status.until})`;
  }
}

/**
 * `2 h 10 min`, `45 min`, `3 d 4 h`, `less than a minute`: to the nearest minute, so `on --from 1h` says `1 h`
 * and not `59 min` a moment later; days and hours drop the minutes.
 */
export function timeUntil(time: Date, now: Date): string {
  const ms = time.getTime() - now.getTime();
  if (ms < 60_000) return 'less than a minute';
  const minutes = Math.round(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  return `${rest} min`;
}

function details(status: WindowStatus): string {
  const parts: string[] = [];
  if (status.rollout !== null) parts.push(`${status.rollout}%${status.stickiness ? ` (stickiness ${status.stickiness})` : ''}`);
  if (status.mode !== null) parts.push(`mode ${status.mode}${status.maxPause !== null ? ` (max pause ${status.maxPause} s)` : ''}`);
  // A stored window (the switch off) shows its start; a scheduled one says it in its state.
  if (status.state === 'off' && status.from !== null) parts.push(`from ${status.from}`);
  if (status.state !== 'on' && status.until !== null) parts.push(`until ${status.until}`);
  if (status.retryAfter !== null) parts.push(`retry after ${status.retryAfter} s`);
  if (status.title !== null) parts.push(`title ${JSON.stringify(status.title)}`);
  if (status.message !== null) parts.push(`message ${JSON.stringify(status.message)}`);
  if (status.area !== null) parts.push(`area ${JSON.stringify(status.area)}`);
  return parts.join('  ');
}
