import { EventEmitter } from 'node:events';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { expect } from 'chai';
import Koa, { type Context } from 'koa';
import { NO_PAYLOAD } from '../../src/flag/payload.js';
import type { MaintenanceState } from '../../src/flag/state.js';
import type { Gate, Verdict } from '../../src/middleware/gate.js';
import { createPause, type HoldEnd, type Pause } from '../../src/middleware/pause.js';
import { settledHeapUsed } from '../support/heap.js';

const BLOCKED: MaintenanceState = { active: true, reason: 'blocked', clientIp: '127.0.0.1', mode: 'pause' };
const HOLD: Verdict = { action: 'block', state: BLOCKED, payload: NO_PAYLOAD, mode: 'pause' };
const BLOCK: Verdict = { action: 'block', state: { ...BLOCKED, mode: 'block' }, payload: NO_PAYLOAD, mode: 'block' };
const PASS: Verdict = { action: 'next', state: { active: false, reason: 'off', clientIp: undefined } };

/** A gate whose verdict the test sets, counting rechecks; an Unleash client that is only its `changed` event. */
function queue(options: { maxHeld?: number; recheckMs?: number; decide?: (ctx: Context) => Verdict } = {}) {
  let verdict: Verdict = HOLD;
  const rechecks: Context[] = [];
  const gate: Gate = (ctx, occasion) => {
    expect(occasion).to.equal('recheck');
    rechecks.push(ctx);
    return options.decide?.(ctx) ?? verdict;
  };
  const unleash = new EventEmitter();
  const pause = createPause({ gate, unleash, maxHeld: options.maxHeld ?? 1000, recheckMs: options.recheckMs ?? 60_000 });
  return {
    pause,
    unleash,
    rechecks,
    set(next: Verdict) {
      verdict = next;
    },
  };
}

const app = new Koa();

/** A real Koa context on a request with a (never connected) socket of its own. */
function context(path = '/', headers: Record<string, string> = {}): Context {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = path;
  req.headers = headers;
  return app.createContext(req, new ServerResponse(req)) as Context;
}

function held(pause: Pause, ctx: Context, maxPauseMs = 60_000): Promise<HoldEnd> {
  const promise = pause.hold(ctx, maxPauseMs);
  if (!promise) expect.fail('the request was not held');
  return promise;
}

describe('middleware/pause: the held queue', function () {
  it('releases every held request on the client\'s changed event, in arrival order, each with how long it waited', async function () {
    const { pause, unleash, set } = queue();
    const order: string[] = [];
    const ends = ['/a', '/b', '/c', '/d', '/e'].map((path) =>
      held(pause, context(path)).then((end) => {
        order.push(path);
        return end;
      }),
    );
    expect(pause.size).to.equal(5);
    await new Promise((resolve) => setTimeout(resolve, 30));
    unleash.emit('changed'); // still blocked: nothing moves
    expect(pause.size).to.equal(5);
    set(PASS);
    unleash.emit('changed');
    expect(pause.size).to.equal(0);
    const results = await Promise.all(ends);
    expect(order).to.deep.equal(['/a', '/b', '/c', '/d', '/e']);
    for (const end of results) {
      expect(end).to.deep.include({ outcome: 'released', verdict: PASS });
      expect(end.pausedMs).to.be.within(25, 1_000);
    }
  });

  it('releases on its own recheck when no changed event comes (a window\'s end has none)', async function () {
    const { pause, set, rechecks } = queue({ recheckMs: 20 });
    const end = held(pause, context());
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(rechecks.length, 'rechecked while held').to.be.at.least(2);
    set(PASS);
    const started = performance.now();
    expect((await end).outcome).to.equal('released');
    expect(performance.now() - started).to.be.below(500);
  });

  it('decides each held request again on its own: only those that would now pass go on', async function () {
    const { pause, unleash } = queue({ decide: (ctx) => (ctx.path === '/open' ? PASS : HOLD) });
    const open = held(pause, context('/open'));
    const closed = held(pause, context('/closed'), 50);
    unleash.emit('changed');
    expect((await open).outcome).to.equal('released');
    expect(pause.size).to.equal(1);
    expect((await closed).outcome).to.equal('timed-out');
  });

  it('times a request out after maxPause', async function () {
    const { pause } = queue();
    const started = performance.now();
    const end = await held(pause, context(), 100);
    expect(end.outcome).to.equal('timed-out');
    expect(end.pausedMs).to.be.within(90, 1_000);
    expect(performance.now() - started).to.be.within(90, 1_000);
    expect(pause.size).to.equal(0);
  });

  it('ends a hold at once when the window turns to another mode: its 503 now', async function () {
    const { pause, unleash, set } = queue();
    const end = held(pause, context());
    set(BLOCK);
    unleash.emit('changed');
    expect(await end).to.deep.include({ outcome: 'blocked', verdict: BLOCK });
  });

  it('holds at most maxHeld at once, and none with maxHeld 0; never an upgrade', async function () {
    const { pause, unleash, set } = queue({ maxHeld: 2 });
    const first = held(pause, context());
    held(pause, context());
    expect(pause.hold(context(), 60_000), 'the third').to.equal(undefined);
    set(PASS);
    unleash.emit('changed');
    await first;
    set(HOLD);
    const again = held(pause, context());
    set(PASS);
    unleash.emit('changed');
    expect((await again).outcome).to.equal('released');

    expect(queue({ maxHeld: 0 }).pause.hold(context(), 60_000)).to.equal(undefined);
    expect(queue().pause.hold(context('/ws', { upgrade: 'websocket', connection: 'Upgrade' }), 60_000)).to.equal(undefined);
  });

  it('drops a request whose client hung up, at once, leaving no listener, timer or changed listener behind', async function () {
    const { pause, unleash } = queue({ recheckMs: 10 });
    const ctx = context();
    const listeners = () => [ctx.req.listenerCount('close'), ctx.res.listenerCount('close'), unleash.listenerCount('changed')];
    const before = listeners();
    const end = held(pause, ctx);
    expect(listeners()).to.deep.equal([before[0]! + 1, before[1]! + 1, 1]);
    ctx.req.socket.destroy();
    ctx.res.emit('close');
    expect(await end).to.deep.include({ outcome: 'dropped' });
    expect(listeners()).to.deep.equal(before);
    expect(pause.size).to.equal(0);
  });

  it('drops a request pipelined behind another when its socket closes, but not one whose body was merely read', async function () {
    const { pause, unleash, set } = queue();
    const pipelined = context();
    const pipelinedEnd = held(pause, pipelined);
    pipelined.req.socket.destroy();
    pipelined.req.emit('close');
    expect((await pipelinedEnd).outcome).to.equal('dropped');

    const read = context();
    const readEnd = held(pause, read);
    read.req.emit('close'); // what a request does once its body has been read: the client is still there
    expect(pause.size).to.equal(1);
    set(PASS);
    unleash.emit('changed');
    expect((await readEnd).outcome).to.equal('released');
  });

  it('does not hold a request whose socket is already gone', async function () {
    const { pause, unleash } = queue();
    const ctx = context();
    ctx.req.socket.destroy();
    expect(await held(pause, ctx)).to.deep.equal({ outcome: 'dropped', pausedMs: 0 });
    expect(unleash.listenerCount('changed')).to.equal(0);
  });

  it('runs its recheck timer only while something is held', async function () {
    const { pause, unleash, set, rechecks } = queue({ recheckMs: 10 });
    const end = held(pause, context());
    set(PASS);
    await end;
    const count = rechecks.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(rechecks.length, 'no recheck once nothing is held').to.equal(count);
    expect(unleash.listenerCount('changed')).to.equal(0);
  });

  it('forgets dropped requests: 10,000 held and dropped leave the heap as it was', async function () {
    this.timeout(30_000);
    const { pause } = queue({ maxHeld: 20_000 });
    const holdMany = (count: number) => {
      const contexts: Context[] = [];
      const ends: Promise<HoldEnd>[] = [];
      for (let i = 0; i < count; i += 1) {
        const ctx = context(`/item/${i}`);
        contexts.push(ctx);
        ends.push(held(pause, ctx));
      }
      return { contexts, ends };
    };
    const dropAll = async ({ contexts, ends }: ReturnType<typeof holdMany>) => {
      for (const ctx of contexts.splice(0)) {
        ctx.req.socket.destroy();
        ctx.res.emit('close');
      }
      for (const end of await Promise.all(ends.splice(0))) expect(end.outcome).to.equal('dropped');
    };
    await dropAll(holdMany(1_000)); // the first round compiles code and grows the engine's caches: not a leak
    const before = await settledHeapUsed();
    const many = holdMany(10_000);
    const holding = await settledHeapUsed();
    expect(pause.size).to.equal(10_000);
    await dropAll(many);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const afterwards = await settledHeapUsed();
    expect(pause.size).to.equal(0);
    expect(holding - before, 'held requests take memory while held').to.be.above(1_000_000);
    expect(afterwards - before, `heap: ${before} before, ${holding} holding, ${afterwards} after`).to.be.below((holding - before) / 10);
  });
});
