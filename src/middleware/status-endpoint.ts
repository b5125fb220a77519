import type { Context } from 'koa';
import type { ClosedArea, MaintenanceMode, ScopeArea } from '../flag/state.js';
import type { FlagAnswer } from './flag-reader.js';
import { timingOf } from './respond.js';

/** A part of the site closed now, as the status names it. */
export interface ClosedStatus {
  paths: readonly string[];
  hosts: readonly string[];
  name: string;
  until?: string;
  title?: string;
  message?: string;
}

/** What `statusPath` answers: the window as a front end or status page needs it, nothing about the client. */
export interface MaintenanceStatus {
  /** The path asked about with `?path=`. */
  path?: string;
  active: boolean;
  mode: MaintenanceMode;
  /** While not active: the part of the site the upcoming window closes; absent for the whole site. */
  scope?: ScopeArea;
  from?: string;
  until?: string;
  title?: string;
  message?: string;
  retryAfter?: number;
  /** While not active: the scopes closed now elsewhere on the site. */
  closed?: ClosedStatus[];
}

export interface StatusEndpoint {
  /** A GET or HEAD whose path, as the rules see it, is the status path. */
  matches(ctx: Context, request: { rulePath(): string | undefined }): boolean;
  /** `?path=/checkout`: the path asked about; `undefined` when none is, `null` when it is no single absolute path. */
  askedPath(ctx: Context): string | null | undefined;
  /** `flag` undefined: the question could not be read (400). */
  answer(ctx: Context, flag: FlagAnswer | undefined, path?: string): void;
}

export interface StatusEndpointOptions {
  path: string;
  mode: MaintenanceMode;
  retryAfter: number | Date | undefined;
}

const MAX_ASKED_PATH = 2048;

function closedStatus(area: ClosedArea): ClosedStatus {
  const { paths, hosts, name } = area.scope;
  return { paths, hosts, name, until: area.until?.toISOString(), title: area.title, message: area.message };
}

function statusOf(flag: FlagAnswer, defaultMode: MaintenanceMode, retryAfterOption: number | Date | undefined): MaintenanceStatus {
  if (!flag.on) {
    const { upcoming, closed } = flag.state;
    return {
      active: false,
      mode: defaultMode,
      scope: upcoming?.scope,
      from: upcoming?.from.toISOString(),
      until: upcoming?.until?.toISOString(),
      title: upcoming?.title,
      message: upcoming?.message,
      closed: closed?.map(closedStatus),
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
 * maintenance is off, on or upcoming, and which scopes are closed elsewhere, so a single-page app can show a
 * banner or its own maintenance screen. `?path=/checkout` asks about another path for the same client: the
 * flag is evaluated as for a request there, and nothing is let through. Never cached, never the client's
 * address, tokens or the bypass secret.
 */
export function createStatusEndpoint(options: StatusEndpointOptions): StatusEndpoint {
  const { path, mode, retryAfter } = options;
  return {
    matches(ctx, request) {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return false;
      // Most requests are not for the status: a substring search of the target spares them reading the path.
      return ctx.req.url?.includes(path) === true && request.rulePath() === path;
    },
    askedPath(ctx) {
      if (!ctx.querystring.includes('path=')) return undefined;
      const asked: unknown = ctx.query.path;
      if (asked === undefined) return undefined;
      return typeof asked === 'string' && asked.startsWith('/') && asked.length <= MAX_ASKED_PATH && !/[?#]/.test(asked) ? asked : null;
    },
    answer(ctx, flag, asked) {
      ctx.status = flag ? 200 : 400;
      ctx.set('Cache-Control', 'no-store');
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('Content-Type', 'application/json; charset=utf-8');
      const body = flag ? { ...(asked === undefined ? {} : { path: asked }), ...statusOf(flag, mode, retryAfter) } : { error: 'path must be one path starting with "/", without "?" or "#"' };
      ctx.body = JSON.stringify(body);
    },
  };
}
