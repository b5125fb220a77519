import { isMaintenanceMode, type MaintenanceMode } from './state.js';

/**
 * What the flag carries, shared by the middleware, which reads it, and the admin client, which writes it:
 * the flag's default name and the variant payload's fields with their limits and how each is read.
 */
export const DEFAULT_FLAG_NAME = 'maintenance-mode';
export const PAYLOAD_LIMITS = Object.freeze({ title: 200, message: 2000, area: 100 });
/** How long before a scheduled window's start it is announced when nothing says otherwise: a day. */
export const DEFAULT_NOTICE_SECONDS = 86_400;
/** The longest notice, from the payload or the `notice` option: a window announced further ahead is news, not a notice. */
export const MAX_NOTICE_SECONDS = 30 * 86_400;
/**
 * The longest a request is held in pause mode, from the payload or the `maxPause` option: proxies in front
 * commonly give up after 60 s (nginx's proxy_read_timeout, an AWS load balancer's idle timeout), and a
 * switchover that takes longer is maintenance for the page, not for a held request.
 */
export const MAX_PAUSE_SECONDS = 60;

/** What a flag's variant payload may say about this maintenance window. Every field is optional. */
export interface MaintenancePayload {
  readonly title?: string;
  readonly message?: string;
  /** What a scope's banner calls the closed part on pages still open (`Checkout`); its paths and hosts otherwise. */
  readonly area?: string;
  /** Seconds; sent as `Retry-After`. */
  readonly retryAfter?: number;
  /** When maintenance is expected to end. */
  readonly until?: Date;
  /** When a scheduled window starts (written by `unleash-maintenance on --from`, beside its DATE_AFTER constraint). */
  readonly from?: Date;
  /** Seconds before `from` from which apps announce the window. */
  readonly notice?: number;
  /** `'block'`, `'read-only'` or `'pause'`: overrides the `mode` option for this window. */
  readonly mode?: MaintenanceMode;
  /** Pause mode: seconds (1 to 60) a request is held at most; overrides the `maxPause` option for this window. */
  readonly maxPause?: number;
}

/** A variant payload as Unleash serves it. */
export interface VariantPayload {
  readonly type: string;
  readonly value: string;
}

/** Reads a variant payload as Unleash serves it into what it says (the middleware's is a cache of these). */
export type PayloadParser = (payload: VariantPayload | undefined) => MaintenancePayload;

/** The answer of a flag without (usable) payload: one object, so its rendered answers are kept once. */
export const NO_PAYLOAD: MaintenancePayload = Object.freeze({});

type FieldReader = (value: unknown) => unknown;

const textUpTo = (max: number): FieldReader => (value) =>
  typeof value === 'string' && value.trim() !== '' && value.length <= max ? value.trim() : undefined;

const secondsUpTo = (max: number, min = 0): FieldReader => (value) =>
  Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max ? value : undefined;

function isoTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\dT/.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * An end before 1970 (`0000-01-01T00:00:00Z`) is a mistake, not a window. Whether an end has passed is judged
 * when an answer is built, not here: a parsed payload is kept for as long as its text is served.
 */
function endTime(value: unknown): Date | undefined {
  const date = isoTime(value);
  return date && date.getTime() >= 0 ? date : undefined;
}

const readers: Readonly<Record<keyof MaintenancePayload, FieldReader>> = {
  title: textUpTo(PAYLOAD_LIMITS.title),
  message: textUpTo(PAYLOAD_LIMITS.message),
  area: textUpTo(PAYLOAD_LIMITS.area),
  retryAfter: secondsUpTo(Number.MAX_SAFE_INTEGER),
  until: endTime,
  from: isoTime,
  notice: secondsUpTo(MAX_NOTICE_SECONDS),
  mode: (value) => (isMaintenanceMode(value) ? value : undefined),
  maxPause: secondsUpTo(MAX_PAUSE_SECONDS, 1),
};

/**
 * The raw fields of a variant payload: a JSON object's own fields, or `{ message }` for a string payload;
 * `undefined` when it is neither (or not a payload at all: a malformed server answer).
 */
export function payloadFields(payload: unknown): Record<string, unknown> | undefined {
  if (payload === null || typeof payload !== 'object') return undefined;
  const { type, value } = payload as Partial<VariantPayload>;
  if (typeof type !== 'string' || typeof value !== 'string') return undefined;
  if (type === 'string') return { message: value };
  if (type !== 'json') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the known fields, returning them with the names of the ones that were present but unusable. */
export function readFields(raw: Record<string, unknown>): { payload: MaintenancePayload; rejected: string[] } {
  const payload: Record<string, unknown> = {};
  const rejected: string[] = [];
  for (const [field, read] of Object.entries(readers)) {
    if (!Object.hasOwn(raw, field) || raw[field] === undefined || raw[field] === null) continue;
    const value = read(raw[field]);
    if (value === undefined) rejected.push(field);
    else payload[field] = value;
  }
  return { payload: Object.freeze(payload), rejected };
}
