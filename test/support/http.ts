import { request, type Agent, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Listening {
  /** Sends a request from the given loopback source address, with the raw request target `path`. */
  send(path: string, options?: { from?: string; method?: string; headers?: Record<string, string | string[]> }): Promise<Reply>;
  close(): Promise<void>;
}

/** The loopback address to dial: IPv6 for an IPv6-only server or an IPv6 source, else IPv4 (dual-stack servers take both). */
function targetFor(host: string, from: string | undefined): string {
  return host === '::1' || from?.includes(':') ? '::1' : '127.0.0.1';
}

/** Listens on `host` (default 127.0.0.1) on a free port, so tests can pick the client's real source address. */
export async function listen(app: Koa, host = '127.0.0.1'): Promise<Listening> {
  const server: Server = app.listen(0, host);
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    send: (path, options = {}) =>
      new Promise<Reply>((resolve, reject) => {
        const req = request(
          { host: targetFor(host, options.from), port, path, method: options.method ?? 'GET', headers: options.headers, localAddress: options.from, timeout: 5000 },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer to ${path} within 5 s`)));
        req.on('error', reject);
        req.end();
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpGetOptions {
  /** Loopback source address to connect from (127.0.0.2, 127.0.0.3, ...). */
  localAddress?: string;
  headers?: Record<string, string>;
  agent?: Agent;
  timeoutMs?: number;
}

/** A GET with a real source address, for tests where the client IP matters. */
export function httpGet(url: string, options: HttpGetOptions = {}): Promise<HttpResult> {
  const { localAddress, headers, agent, timeoutMs = 5_000 } = options;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', localAddress, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
