export interface WaitForOptions {
  /** What is being waited for, used in the timeout error. */
  description: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Gives up early, throwing the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Calls `probe` until it returns something other than `undefined`, or throws
 * once `timeoutMs` has passed. A probe that throws counts as "not yet"; its
 * last error is reported in the timeout message.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { description, timeoutMs, intervalMs = 50, signal }: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}${reason}`);
    }
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
