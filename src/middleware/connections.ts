import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Koa, { type Context } from 'koa';
import type { MaintenancePayload } from '../flag/payload.js';
import type { MaintenanceMode, MaintenanceState } from '../flag/state.js';
import type { UnleashLike } from './flag-reader.js';
import { FAILED_CLOSED, type Gate } from './gate.js';
import type { Report } from './reporter.js';
import type { Responder } from './respond.js';

/** Node's `upgrade` event listener, as `ws` and friends take it. */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Called once when a watched connection's request would now be blocked; close the connection then. */
export type OnBlocked = (state: MaintenanceState) => void;

export interface Connections {
  upgrade(listener: UpgradeListener): UpgradeListener;
  decide(req: IncomingMessage): MaintenanceState;
  watch(req: IncomingMessage, onBlocked: OnBlocked): () => void;
}

export interface ConnectionsParts {
  gate: Gate;
  responder: Responder;
  /** Its `'changed'` events, when it has them, have watched connections looked at again at once. */
  unleash: Pick<UnleashLike, 'on' | 'off'>;
  report: Report;
  /** How often watched connections are looked at again without a `changed` event (a window's start has none). */
  recheckMs?: number;
}

/**
 * The gate for what Koa never sees: HTTP upgrades (WebSockets) and long-lived connections opened before
 * maintenance (WebSockets, Server-Sent Events). Each request gets a real Koa context of its own, so `skip`,
 * `context`, the bypass cookie and every rule read it exactly as they read a request through the middleware.
 */
export function createConnections(parts: ConnectionsParts): Connections {
  const { gate, responder, unleash, report, recheckMs = 1_000 } = parts;
  let koa: Koa | undefined;
  const contextOf = (req: IncomingMessage): Context => (koa ??= new Koa()).createContext(req, new ServerResponse(req)) as Context;

  /** An HTTP/1.1 503 with the problem+json body, written on the socket, which is then closed. */
  function refuse(ctx: Context, socket: Duplex, payload: MaintenancePayload, mode: MaintenanceMode): void {
    if (!socket.writable) return void socket.destroy();
    try {
      responder.respond(ctx, payload, mode, true);
      const body = String(ctx.body);
      const headers = Object.entries(ctx.response.headers)
        .filter(([name]) => name !== 'content-length' && name !== 'connection')
        .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}\r\n`);
      socket.end(`HTTP/1.1 503 Service Unavailable\r\n${headers.join('')}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    } catch (error) {
      report('error', 'upgrade-refusal', 'writing the 503 on an upgrade socket failed; the socket was closed', error);
      socket.destroy();
    }
  }

  function upgrade(listener: UpgradeListener): UpgradeListener {
    return function maintenanceUpgrade(req, socket, head) {
      socket.on('error', () => {}); // a socket that errors or closes early must not crash the process
      const ctx = contextOf(req);
      const verdict = gate(ctx, 'raw');
      if (verdict.action === 'block') return refuse(ctx, socket, verdict.payload, verdict.mode);
      try {
        listener(req, socket, head);
      } catch (error) {
        report('error', 'upgrade-listener', 'the upgrade listener threw; the socket was closed', error);
        socket.destroy();
      }
    };
  }

  /** Each watched connection with the means to forget it: the one way out of the map, listener included. */
  const watched = new Map<object, { ctx: Context; onBlocked: OnBlocked; forget: () => void }>();
  let timer: NodeJS.Timeout | undefined;

  function recheck(): void {
    for (const { ctx, onBlocked, forget } of watched.values()) {
      const verdict = gate(ctx, 'recheck');
      if (verdict.action !== 'block') continue;
      forget();
      try {
        onBlocked(verdict.state);
      } catch (error) {
        report('error', 'onBlocked', 'an onBlocked(state) callback threw; ignored', error);
      }
    }
  }

  function startWatching(): void {
    unleash.on?.('changed', recheck);
    timer = setInterval(recheck, recheckMs);
    timer.unref();
  }

  function stopWatching(): void {
    if (timer === undefined) return;
    clearInterval(timer);
    timer = undefined;
    unleash.off?.('changed', recheck);
  }

  function watch(req: IncomingMessage, onBlocked: OnBlocked): () => void {
    const key = {};
    // A keep-alive socket outlives its requests: its listener goes whenever the entry goes, however it goes.
    const forget = () => {
      req.socket?.off('close', forget);
      if (watched.delete(key) && watched.size === 0) stopWatching();
    };
    if (req.socket?.destroyed) return forget;
    if (watched.size === 0) startWatching();
    watched.set(key, { ctx: contextOf(req), onBlocked, forget });
    req.socket?.once('close', forget);
    return forget;
  }

  return {
    upgrade,
    decide(req) {
      const verdict = gate(contextOf(req), 'raw');
      return 'state' in verdict ? verdict.state : FAILED_CLOSED; // a raw request never meets the status endpoint
    },
    watch,
  };
}
