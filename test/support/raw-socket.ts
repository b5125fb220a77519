import { connect } from 'node:net';

export interface SocketResponse {
  status: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

export interface SocketRequestOptions {
  port: number;
  method: string;
  /** The request target written byte for byte into the request line: no client parses or normalises it. */
  target: string;
  /** A WebSocket handshake instead of a plain request (`Connection: Upgrade`, a key, version 13). */
  upgrade?: boolean;
  timeoutMs?: number;
}

const PLAIN = 'Accept: text/plain\r\nConnection: close\r\nContent-Length: 0\r\n';
const HANDSHAKE = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

/** What a server that closes the connection without a word answers: status 0. */
const NO_ANSWER: SocketResponse = Object.freeze({ status: 0, headers: {}, body: '' });

/**
 * One request over a plain TCP socket to 127.0.0.1, read until the server closes the connection (or, for a
 * `101 Switching Protocols`, until its head is complete; the socket is then destroyed). A server that closes
 * without answering gives status 0. Rejects on timeout (and destroys the socket), on a socket error, or when
 * the answer is not an HTTP/1.1 response.
 */
export function socketRequest(options: SocketRequestOptions): Promise<SocketResponse> {
  const { port, method, target, upgrade = false, timeoutMs = 5_000 } = options;
  const head = `${method} ${target} HTTP/1.1\r\nHost: shop.example\r\n${upgrade ? HANDSHAKE : PLAIN}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const settle = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      try {
        resolve(text === '' ? NO_ANSWER : parseResponse(text));
      } catch (error) {
        reject(error);
      }
    };
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${method} ${target.slice(0, 80)} timed out after ${timeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      if (text.startsWith('HTTP/1.1 101 ') && text.includes('\r\n\r\n')) {
        socket.destroy();
        settle();
      }
    });
    socket.on('error', reject);
    socket.on('end', settle);
    // Not end(): a half-closed request can make Node's server give up on it; `Connection: close` closes the socket.
    socket.write(head, 'latin1');
  });
}

function parseResponse(text: string): SocketResponse {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd === -1) throw new Error(`not an HTTP response: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...headerLines] = text.slice(0, headEnd).split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3})(?: |$)/.exec(statusLine)?.[1];
  if (status === undefined) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(status), headers, body: Buffer.from(text.slice(headEnd + 4), 'latin1').toString('utf8') };
}
