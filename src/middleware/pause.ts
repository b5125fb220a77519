import type { Context } from 'koa';
import { wantsUpgrade } from '../request/facts.js';
import type { UnleashLike } from './flag-reader.js';
import type { Gate, Verdict } from './gate.js';

export type BlockVerdict = Extract<Verdict, { action: 'block' }>;
export type PassVerdict = Extract<Verdict, { action: 'next' | 'next-privately' }>;

/**
 * How a hold ended:
 * - `released`: maintenance no longer blocks the request (the flag went off, its window ended, a rule now lets
 *   it through): on to the app, by the verdict that now passes it;
 * - `blocked`: maintenance now blocks it in another mode (the window was switched to block or read-only): that
 *   verdict's 503, at once;
 * - `timed-out`: held for `maxPause`: the 503;
 * - `dropped`: its client hung up; there is nobody to answer.
 */
type Ending =
  | { readonly outcome: 'released'; readonly verdict: PassVerdict }
  | { readonly outcome: 'blocked'; readonly verdict: BlockVerdict }
  | { readonly outcome: 'timed-out' | 'dropped' };

/** How a hold ended, and how long it lasted in whole milliseconds. */
export type HoldEnd = Ending & { readonly pausedMs: number };

export interface Pause {
  /**
   * Holds a request that pause mode blocks until its hold ends (see `HoldEnd`); `undefined` when it may not be
   * held (`maxHeld` requests are held already, or it is an upgrade): answer it at once.
   */
  hold(ctx: Context, maxPauseMs: number): Promise<HoldEnd> | undefined;
  /** How many requests are held now. */
  readonly size: number;
}

export interface PauseParts {
  /** Each held request is decided again through it (`recheck`), so a window's end or a per-path rule counts. */
  gate: Gate;
  /** Its `'changed'` events release held requests as soon as the client's flags change. */
  unleash: Pick<UnleashLike, 'on' | 'off'>;
  /** At most this many held at once; 0 holds none. */
  maxHeld: number;
  /** How often held requests are decided again without a `changed` event (a window's end has none). Default 250 ms. */
  recheckMs?: number;
  /** A monotonic clock in ms. Default `performance.now`. */
  now?: () => number;
}

interface HeldRequest {
  readonly ctx: Context;
  end(ending: Ending): void;
}

/**
 * The held requests of pause mode, in arrival order. While any is held (and only then) the client's `changed`
 * event and a timer decide each again through the gate, and those that would now pass go on, in arrival order.
 * Each one leaves the queue exactly once, whatever ends it, taking its timer and listeners with it.
 */
export function createPause(parts: PauseParts): Pause {
  const { gate, unleash, maxHeld, recheckMs = 250, now = () => performance.now() } = parts;
  const held = new Set<HeldRequest>();
  let timer: NodeJS.Timeout | undefined;

  function recheck(): void {
    for (const request of held) {
      const verdict = gate(request.ctx, 'recheck');
      if (verdict.action === 'next' || verdict.action === 'next-privately') request.end({ outcome: 'released', verdict });
      else if (verdict.action === 'block' && verdict.mode !== 'pause') request.end({ outcome: 'blocked', verdict });
      // Still a pause-mode block: it waits. (A recheck never meets the staff link or the status endpoint.)
    }
  }

  function startWatching(): void {
    unleash.on?.('changed', recheck);
    timer = setInterval(recheck, recheckMs);
    timer.unref();
  }

  function stopWatching(): void {
    clearInterval(timer);
    timer = undefined;
    unleash.off?.('changed', recheck);
  }

  function hold(ctx: Context, maxPauseMs: number): Promise<HoldEnd> | undefined {
    const { req, res } = ctx;
    if (held.size >= maxHeld || wantsUpgrade(req)) return undefined;
    if (req.socket?.destroyed) return Promise.resolve({ outcome: 'dropped', pausedMs: 0 });
    // Set up outside the promise's executor, so that anything failing here throws to the caller (the 503) and
    // leaves nothing in the queue.
    let resolve!: (end: HoldEnd) => void;
    const ended = new Promise<HoldEnd>((settle) => (resolve = settle));
    const since = now();
    // A hang-up closes the response the request is waiting for, or, for a request pipelined behind another on
    // the same socket, the request itself (a request whose body was read closes too, its socket still open).
    const onResponseClose = () => request.end({ outcome: 'dropped' });
    const onRequestClose = () => {
      if (req.socket?.destroyed) request.end({ outcome: 'dropped' });
    };
    res.on('close', onResponseClose);
    req.on('close', onRequestClose);
    const timeout = setTimeout(() => request.end({ outcome: 'timed-out' }), maxPauseMs);
    timeout.unref();
    const request: HeldRequest = {
      ctx,
      end(ending) {
        if (!held.delete(request)) return;
        clearTimeout(timeout);
        res.off('close', onResponseClose);
        req.off('close', onRequestClose);
        if (held.size === 0) stopWatching();
        resolve({ ...ending, pausedMs: Math.round(now() - since) });
      },
    };
    if (held.size === 0) startWatching();
    held.add(request);
    return ended;
  }

  return {
    hold,
    get size() {
      return held.size;
    },
  };
}
