import { request, type Agent } from 'node:http';

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
