import { isMaintenanceMode, type MaintenanceMode } from './read-only.js';
import type { Report } from './reporter.js';

/** What a flag's variant payload may say about this maintenance window. Every field is optional. */
export interface MaintenancePayload {
  readonly title?: string;
  readonly message?: string;
  /** Seconds; sent as `Retry-After`. */
  readonly retryAfter?: number;
  /** When maintenance is expected to end. */
  readonly until?: Date;
  /** `'block'` or `'read-only'`: overrides the `mode` option for this window. */
  readonly mode?: MaintenanceMode;
}

export interface VariantPayload {
  readonly type: string;
  readonly value: string;
}

export type PayloadParser = (payload: VariantPayload | undefined) => MaintenancePayload;

const NO_PAYLOAD: MaintenancePayload = Object.freeze({});
const MAX_TITLE = 200;
const MAX_MESSAGE = 2000;
const MAX_CACHED = 64;

type FieldReader = (value: unknown) => unknown;

const textUpTo = (max: number): FieldReader => (value) =>
  typeof value === 'string' && value.trim() !== '' && value.length <= max ? value.trim() : undefined;

const readers: Readonly<Record<keyof MaintenancePayload, FieldReader>> = {
  title: textUpTo(MAX_TITLE),
  message: textUpTo(MAX_MESSAGE),
  retryAfter: (value) => (Number.isSafeInteger(value) && (value as number) >= 0 ? value : undefined),
  until: (value) => {
    if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\dT/.test(value)) return undefined;
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  },
  mode: (value) => (isMaintenanceMode(value) ? value : undefined),
};

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the known fields, returning them with the names of the ones that were present but unusable. */
function readFields(raw: Record<string, unknown>): { payload: MaintenancePayload; rejected: string[] } {
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

/** Distinct payloads are warned about separately, without keeping huge strings as keys. */
function reportKey(payload: VariantPayload): string {
  return `payload:${payload.value.length}:${payload.value.slice(0, 200)}`;
}

function interpret(payload: VariantPayload, report: Report): MaintenancePayload {
  if (payload.type === 'string') return readFields({ message: payload.value }).payload;
  const raw = payload.type === 'json' ? parseJsonObject(payload.value) : undefined;
  if (!raw) {
    report('warn', reportKey(payload), `ignoring a ${payload.type} variant payload that is not a JSON object; the default texts are shown`);
    return NO_PAYLOAD;
  }
  const { payload: parsed, rejected } = readFields(raw);
  if (rejected.length) {
    report('warn', reportKey(payload), `ignoring invalid variant payload fields: ${rejected.join(', ')} (title and message are non-empty strings, retryAfter whole seconds, until an ISO 8601 time, mode 'block' or 'read-only')`);
  }
  return parsed;
}

/** Parses each distinct payload once; a string payload is read as the message. */
export function createPayloadParser(report: Report): PayloadParser {
  const cache = new Map<string, MaintenancePayload>();
  // Unleash hands out the same payload object for as long as the flag's definition stays: look that object up
  // first (weakly held; its type and value are compared, so even a payload changed in place is parsed afresh)
  // before building the text key, which costs a concatenation and a hash of the whole value per request.
  const byObject = new WeakMap<VariantPayload, { type: string; value: string; parsed: MaintenancePayload }>();
  return function parsePayload(payload) {
    // A malformed server answer (`{ type: {}, value: '' }`) means no payload, never an error building the key.
    if (!payload || typeof payload.type !== 'string' || typeof payload.value !== 'string') return NO_PAYLOAD;
    const seen = typeof payload === 'object' ? byObject.get(payload) : undefined;
    if (seen && seen.type === payload.type && seen.value === payload.value) return seen.parsed;
    const key = `${payload.type}\u0000${payload.value}`;
    let parsed = cache.get(key);
    if (!parsed) {
      parsed = interpret(payload, report);
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(key, parsed);
    }
    if (typeof payload === 'object') byObject.set(payload, { type: payload.type, value: payload.value, parsed });
    return parsed;
  };
}
