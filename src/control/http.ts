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

/**
 * One JSON request to Unleash. Every status is returned; it throws only when the server is unreachable
 * or a success answer is not JSON (`not-unleash-api`: the URL is not Unleash's base URL).
 */
export async function sendJson(target: HttpTarget, method: string, path: string, body?: unknown): Promise<HttpAnswer> {
  let status: number;
  let text: string;
  let contentType: string | null;
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
    contentType = response.headers.get('content-type');
    text = await response.text(); // the timeout covers the body too: a stalled answer is an unreachable server
  } catch (error) {
    const why = describeNetworkFailure(error, target.timeoutMs);
    throw new UnleashError('unreachable', `Cannot reach Unleash at ${displayUrl(target.baseUrl)}: ${why}`);
  }
  const parsed = parseJson(text);
  if (status >= 200 && status < 300 && typeof parsed === 'string') {
    throw await notAnApiAnswer(target, `${method} ${displayUrl(target.baseUrl)}${path}`, status, contentType);
  }
  return { status, body: parsed, reason: reasonOf(parsed) };
}

/**
 * A success whose body is not JSON did not come from Unleash's API. Typically the base URL is wrong and
 * Unleash's UI answers its index.html (200) to every path it does not know. Looks for Unleash's `/health`
 * on the shorter paths of the URL, down to the server root, to name the base URL to use instead.
 */
async function notAnApiAnswer(target: HttpTarget, request: string, status: number, contentType: string | null): Promise<UnleashError> {
  const what = contentType ? contentType.split(';')[0]!.trim() : 'no content type';
  const found = await findUnleashBase(target);
  const root = new URL(target.baseUrl).origin;
  const hint =
    found === undefined
      ? ` Check the URL: use Unleash's base URL, the server root or the path Unleash is served under (with or without /api).`
      : found === root
        ? ` Unleash answers at the server root: use ${found} (or ${found}/api) as the URL.`
        : ` Unleash answers at ${found}: use ${found}/api as the URL.`;
  return new UnleashError(
    'not-unleash-api',
    `Not an answer from Unleash's API: ${request} answered ${status} with ${what}, not JSON (Unleash's UI answers any unknown path so).${hint}`,
    status,
  );
}

async function findUnleashBase(target: HttpTarget): Promise<string | undefined> {
  const url = new URL(target.baseUrl);
  const segments = url.pathname.split('/').filter(Boolean);
  for (let keep = segments.length - 1; keep >= 0; keep--) {
    const candidate = `${url.origin}${segments.slice(0, keep).map((segment) => `/${segment}`).join('')}`;
    try {
      const response = await fetch(`${candidate}/health`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(target.timeoutMs) });
      const health = parseJson(await response.text());
      if (response.ok && health && typeof health === 'object' && 'health' in health) return candidate;
    } catch {
      // Not there; try the next shorter path.
    }
  }
  return undefined;
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
