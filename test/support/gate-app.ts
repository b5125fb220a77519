import Koa from 'koa';
import { maintenance, type MaintenanceOptions, type MaintenanceState } from '../../src/index.js';

export interface Seen {
  decision: MaintenanceState | undefined;
  url: string;
  path: string;
}

export interface GateApp {
  app: Koa;
  /** What the middleware decided for the last request that met maintenance (`onDecision`), and the URL it saw. */
  last: Seen | undefined;
  reset(): void;
}

/** The logger the tests hand the middleware: it keeps every line, so tests can count reports. */
export interface RecordingLogger {
  warn: (message: string, ...details: unknown[]) => void;
  error: (message: string, ...details: unknown[]) => void;
  lines: { level: 'warn' | 'error'; message: string; details: unknown[] }[];
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  return {
    lines,
    warn: (message, ...details) => lines.push({ level: 'warn', message, details }),
    error: (message, ...details) => lines.push({ level: 'error', message, details }),
  };
}

export const THROUGH = 'through';

/**
 * A Koa app with the middleware in front of a catch-all route that answers 200 `through`. Any other
 * error middleware is absent on purpose: an exception would surface as Koa's own 500.
 */
export function gateApp(options: MaintenanceOptions): GateApp {
  const app = new Koa();
  app.silent = true;
  const gate: GateApp = {
    app,
    last: undefined,
    reset() {
      gate.last = undefined;
    },
  };
  const userOnDecision = options.onDecision;
  app.use(
    maintenance({
      logger: recordingLogger(),
      ...options,
      onDecision(ctx, decision) {
        gate.last = { decision, url: ctx.url, path: ctx.path };
        userOnDecision?.(ctx, decision);
      },
    }),
  );
  app.use((ctx) => {
    ctx.body = THROUGH;
  });
  return gate;
}
