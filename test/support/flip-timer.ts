import { waitFor } from '../../dev/unleash/index.js';
import { httpGet } from './http.js';

/** The budget for a toggle to reach an app. */
export const PROPAGATION_BUDGET_MS = 2_000;

/**
 * Polls `url` until it answers `status` and returns the milliseconds since
 * `since`; fails after `timeoutMs`.
 */
export async function timeUntilStatus(url: string, status: number, since: number, timeoutMs = PROPAGATION_BUDGET_MS): Promise<number> {
  const deadline = since + timeoutMs;
  // A slow answer still counts if it arrives in time (the first 503 renders the page).
  const answer = () => httpGet(url, { timeoutMs: Math.max(deadline - Date.now(), 100) });
  return waitFor(async () => ((await answer()).status === status ? Date.now() - since : undefined), {
    description: `${url} to answer ${status}`,
    timeoutMs: Math.max(0, deadline - Date.now()),
    intervalMs: 20,
  });
}
