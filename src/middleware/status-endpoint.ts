import type { Context } from 'koa';
import type { MaintenanceMode } from '../flag/state.js';
import type { FlagAnswer } from './flag-reader.js';
import { timingOf } from './respond.js';

/** What `statusPath` answers: the window as a front end or status page needs it, nothing about the client. */
export interface MaintenanceStatus {
  active: boolean;
  mode: MaintenanceMode;
  from?: string;
  until?: string;
  title?: string;
  message?: string;
  retryAfter?: number;
}

export interface StatusEndpoint {
  /** A GET or HEAD whose path, as the rules see it, is the status path. */
  matches(ctx: Context, request: { rulePath(): string | undefined }): boolean;
  answer(ctx: Context, flag: FlagAnswer): void;
}

export interface StatusEndpointOptions {
  path: string;
  mode: MaintenanceMode;
  retryAfter: number | Date | undefined;
}

function statusOf(flag: FlagAnswer, defaultMode: MaintenanceMode, retryAfterOption: number | Date | undefined): MaintenanceStatus {
  if (!flag.on) {
    const upcoming = flag.state.upcoming;
    return {
      active: false,
      mode: defaultMode,
      from: upcoming?.from.toISOString(),
      until: upcoming?.until?.toISOString(),
      title: upcoming?.title,
      message: upcoming?.message,
    };
  }
  const { payload } = flag;
  const { retryAfter, until } = timingOf(payload, retryAfterOption);
  return {
    active: true,
    mode: payload.mode ?? defaultMode,
    from: payload.from?.toISOString(),
    until: until?.toISOString(),
    title: payload.title,
    message: payload.message,
    retryAfter,
  };
}

/**
 * `statusPath`: answers GET and HEAD with the maintenance status as JSON (absent fields left out), whether
 * maintenance is off, on or upcoming, so a single-page app can show a banner or its own maintenance screen.
 * Never cached, never the client's address, tokens or the bypass secret.
 */
export function createStatusEndpoint(options: StatusEndpointOptions): StatusEndpoint {
  const { path, mode, retryAfter } = options;
  return {
    matches(ctx, request) {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return false;
      // Most requests are not for the status: a substring search of the target spares them reading the path.
      return ctx.req.url?.includes(path) === true && request.rulePath() === path;
    },
    answer(ctx, flag) {
      ctx.status = 200;
      ctx.set('Cache-Control', 'no-store');
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('Content-Type', 'application/json; charset=utf-8');
      ctx.body = JSON.stringify(statusOf(flag, mode, retryAfter));
    },
  };
}
