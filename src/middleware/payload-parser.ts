import { NO_PAYLOAD, payloadFields, readFields, type MaintenancePayload, type PayloadParser, type VariantPayload } from '../flag/payload.js';
import type { Report } from './reporter.js';

const MAX_CACHED = 64;

/** Distinct payloads are warned about separately, without keeping huge strings as keys. */
function reportKey(payload: VariantPayload): string {
  return `payload:${payload.value.length}:${payload.value.slice(0, 200)}`;
}

function interpret(payload: VariantPayload, report: Report): MaintenancePayload {
  const raw = payloadFields(payload);
  if (!raw) {
    report('warn', reportKey(payload), `ignoring a ${payload.type} variant payload that is not a JSON object; the default texts are shown`);
    return NO_PAYLOAD;
  }
  const { payload: parsed, rejected } = readFields(raw);
  if (rejected.length) {
    report('warn', reportKey(payload), `ignoring invalid variant payload fields: ${rejected.join(', ')} (title, message and area are non-empty strings, retryAfter and notice whole seconds, notice at most 30 days, until and from ISO 8601 times, until after 1970, mode 'block', 'read-only' or 'pause', maxPause whole seconds from 1 to 60)`);
  }
  return parsed;
}

/**
 * Parses each distinct payload once (a bounded cache by text) into one frozen object, which stays the same
 * object while it is cached: the 503's rendered answers are kept per payload object.
 */
export function createPayloadParser(report: Report): PayloadParser {
  const cache = new Map<string, MaintenancePayload>();
  return function parsePayload(payload) {
    // A malformed server answer (`{ type: {}, value: '' }`) means no payload, never an error building the key.
    if (!payload || typeof payload.type !== 'string' || typeof payload.value !== 'string') return NO_PAYLOAD;
    const key = `${payload.type}\u0000${payload.value}`;
    let parsed = cache.get(key);
    if (!parsed) {
      parsed = interpret(payload, report);
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(key, parsed);
    }
    return parsed;
  };
}
