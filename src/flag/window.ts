/**
 * A scheduled maintenance window as a flag's strategy states it: constraints on Unleash's `currentTime`
 * context field, `DATE_AFTER` for the start and `DATE_BEFORE` for the end. Unleash ANDs constraints, so the
 * window opens at the latest start and closes at the earliest end. Shared by the middleware, which reads it
 * from the client's flag definition, and the admin client, which writes it and reads it back.
 */
export interface ScheduledWindow {
  readonly from?: Date;
  readonly until?: Date;
}

interface TimeConstraint {
  contextName?: unknown;
  operator?: unknown;
  value?: unknown;
  inverted?: unknown;
}

function timeOf(constraint: TimeConstraint, operator: 'DATE_AFTER' | 'DATE_BEFORE'): Date | undefined {
  if (constraint.contextName !== 'currentTime' || constraint.operator !== operator || constraint.inverted === true) return undefined;
  if (typeof constraint.value !== 'string') return undefined;
  const time = new Date(constraint.value);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** The window the constraints describe; `{}` when they name no time (anything not an array counts as none). */
export function windowOfConstraints(constraints: unknown): ScheduledWindow {
  if (!Array.isArray(constraints)) return {};
  let from: Date | undefined;
  let until: Date | undefined;
  for (const constraint of constraints) {
    if (constraint === null || typeof constraint !== 'object') continue;
    const start = timeOf(constraint as TimeConstraint, 'DATE_AFTER');
    const end = timeOf(constraint as TimeConstraint, 'DATE_BEFORE');
    if (start && (!from || start > from)) from = start;
    if (end && (!until || end < until)) until = end;
  }
  const window: { from?: Date; until?: Date } = {};
  if (from) window.from = from;
  if (until) window.until = until;
  return window;
}
