import { describeNetworkFailure } from './network-failure.js';
import { UnleashError } from './errors.js';
import { displayUrl } from './unleash-url.js';

/** Which credential a request uses, named in error messages (never the token itself). */
export type TokenRole = 'admin token' | 'client token';

export interface HttpTarget {
  baseUrl: string;
  token: string;
  tokenRole: TokenRole;
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  body: unknown;
  /** Unleash's own explanation from an error body, if any. */
  reason: string | undefined;
}

/** One JSON request to Unleash. Only an unreachable server throws; every status is returned. */
export async function sendJson(target: HttpTarget, method: string, path: string, body?: unknown): Promise<HttpAnswer> {
  let status: number;
  let text: string;
  try {
    const response = await fetch(`${target.baseUrl}${path}`, {
      method,
      headers: {
        authorization: target.token,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    status = response.status;
    text = await response.text(); // the timeout covers the body too: a stalled answer is an unreachable server
  } catch (error) {
    const why = describeNetworkFailure(error, target.timeoutMs);
    throw new UnleashError('unreachable', `Cannot reach Unleash at ${displayUrl(target.baseUrl)}: ${why}`);
  }
  const parsed = parseJson(text);
  return { status, body: parsed, reason: reasonOf(parsed) };
}

/**
 * Throws the error that explains a status outside `accepted`. 404 is left to
 * the caller only when accepted, since only it knows what was missing.
 */
export function expectStatus(answer: HttpAnswer, accepted: readonly number[], target: HttpTarget, request: string): void {
  if (accepted.includes(answer.status)) return;
  const says = unleashSays(answer.reason);
  if (answer.status === 401) {
    throw new UnleashError('unauthorized', `Unleash rejected the ${target.tokenRole} (401 Unauthorized): it is unknown, expired or malformed.${says}`, 401);
  }
  if (answer.status === 503 && UNLEASH_MAINTENANCE_REASON.test(answer.reason ?? '')) {
    throw new UnleashError(
      'unleash-maintenance',
      `Unleash itself is in maintenance mode (set in its admin settings), so it refuses ${request}: it takes no changes until an admin turns that off.`,
      503,
    );
  }
  if (answer.status === 403) {
    throw new UnleashError('forbidden', `The ${target.tokenRole} lacks the rights for ${request} (403 Forbidden).${says}${rightsHint(target.tokenRole)}`, 403);
  }
  throw new UnleashError('rejected', `Unleash answered ${answer.status} to ${request}.${says}`, answer.status);
}

/**
 * What unleash-server answers (503) to every write while its own maintenance mode is on
 * (lib/features/maintenance/maintenance-middleware.js: "Unleash is currently in maintenance mode.").
 * Only that sentence: a proxy's 503 page that mentions maintenance is not Unleash's setting.
 */
const UNLEASH_MAINTENANCE_REASON = /^\s*Unleash is currently in maintenance mode\.?\s*$/i;

/** Unleash's explanation as a sentence of its own, or nothing. */
export function unleashSays(reason: string | undefined): string {
  if (!reason) return '';
  return ` Unleash says: ${reason}${/[.!?]$/.test(reason) ? '' : '.'}`;
}

function rightsHint(role: TokenRole): string {
  return role === 'admin token'
    ? ' Use an admin API token or a personal access token allowed to change this project; backend (client) tokens cannot use the Admin API.'
    : ' Use a backend (client) API token.';
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function reasonOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 300) || undefined;
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') return body.message;
  return undefined;
}
