/**
 * A scheduled maintenance window as a flag's strategy states it: constraints on Unleash's `currentTime`
 * context field (the client reads any date constraint so), `DATE_AFTER` for the start and `DATE_BEFORE` for
 * the end. Unleash ANDs constraints, so the window opens at the latest start and closes at the earliest end.
 * Shared by the middleware, which reads it from the client's flag definition, and the admin client, which
 * writes it and reads it back.
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

/** unleash-client compares its clock with a date constraint's value whatever field the constraint names. */
function timeOf(constraint: TimeConstraint, operator: 'DATE_AFTER' | 'DATE_BEFORE'): Date | undefined {
  if (constraint.operator !== operator || constraint.inverted === true) return undefined;
  return typeof constraint.value === 'string' ? dateOf(constraint.value) : undefined;
}

/** A date constraint's value as unleash-client reads it (`new Date(value)`, whatever its type); `undefined` when that is no date. */
function dateOf(value: unknown): Date | undefined {
  const time = new Date(value as string);
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

const DATE_OPERATORS: ReadonlySet<unknown> = new Set(['DATE_AFTER', 'DATE_BEFORE']);

/**
 * Whether unleash-client (6) can ever pass these constraints, as far as a window reads them. It cannot when one
 * is not an object, or is a `DATE_AFTER`/`DATE_BEFORE` whose value is no date: the client compares its clock
 * with `new Date(value)` (on whatever field), which an invalid date makes false, so the strategy never
 * enables (inverted, such a constraint always passes). A window of such a strategy is never announced.
 */
export function constraintsCanPass(constraints: unknown): boolean {
  if (!Array.isArray(constraints)) return true;
  return constraints.every((constraint: TimeConstraint | null) => {
    if (constraint === null || typeof constraint !== 'object') return false;
    if (!DATE_OPERATORS.has(constraint.operator) || constraint.inverted === true) return true;
    return dateOf(constraint.value) !== undefined;
  });
}
