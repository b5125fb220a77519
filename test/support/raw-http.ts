import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequestOptions {
  port: number;
  /** The request target exactly as sent: Node's client does not normalise it (supertest's URL parsing would). */
  path: string;
  headers?: OutgoingHttpHeaders;
  /** Loopback source address (127.0.0.2, 127.0.0.3, ...), so the server sees a chosen socket address. */
  localAddress?: string;
  agent?: Agent;
  timeoutMs?: number;
}

/** One GET with a raw request target; rejects on timeout so no test can hang on a socket. */
export function rawGet(options: RawRequestOptions): Promise<RawResponse> {
  const { port, path, headers, localAddress, agent, timeoutMs = 5_000 } = options;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers, localAddress, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path.slice(0, 80)} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
