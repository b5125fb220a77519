import { waitFor } from '../../../dev/unleash/index.js';
import { httpGet } from './http.js';

/** The budget for a toggle to reach an app. */
export const PROPAGATION_BUDGET_MS = 2_000;

/**
 * Polls `url` until it answers `status` and returns the milliseconds since
 * `since`; fails after `timeoutMs`.
 */
export async function timeUntilStatus(url: string, status: number, since: number, timeoutMs = PROPAGATION_BUDGET_MS): Promise<number> {
  const remaining = Math.max(0, since + timeoutMs - Date.now());
  return waitFor(
    async () => ((await httpGet(url, { timeoutMs: 1_000 })).status === status ? Date.now() - since : undefined),
    { description: `${url} to answer ${status}`, timeoutMs: remaining, intervalMs: 20 },
  );
}
