/** Where the middleware's warnings and errors go; `console` by default. */
export interface MaintenanceLogger {
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/** Reports a problem at most once per `key` per window, so a fault under load is one line, not one per request. */
export type Report = (level: 'warn' | 'error', key: string, message: string, error?: unknown) => void;

const DEFAULT_WINDOW_MS = 60_000;
const PREFIX = '[koa-unleash-maintenance]';
const MAX_KEYS = 1000;

export function createReporter(logger: MaintenanceLogger, windowMs = DEFAULT_WINDOW_MS): Report {
  const lastReported = new Map<string, { at: number; suppressed: number }>();
  return function report(level, key, message, error) {
    const now = Date.now();
    const last = lastReported.get(key);
    if (last && now - last.at < windowMs) {
      last.suppressed += 1;
      return;
    }
    const repeats = last?.suppressed ? ` (${last.suppressed} more since the last report)` : '';
    if (lastReported.size >= MAX_KEYS) lastReported.clear();
    lastReported.set(key, { at: now, suppressed: 0 });
    const line = `${PREFIX} ${message}${repeats}`;
    try {
      if (error === undefined) logger[level](line);
      else logger[level](line, error instanceof Error ? error.message : String(error));
    } catch {
      // A broken logger must not turn a maintenance answer into a 500.
    }
  };
}
