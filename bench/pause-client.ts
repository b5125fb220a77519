/**
 * The client side of bench/pause.ts, in a process of its own so the app's heap holds only the app's side:
 * opens raw loopback connections in chunks (never past the listen backlog), each sending one GET or
 * nothing (an idle connection, the baseline), and counts the answers. IPC: `open` -> `opened`, then
 * `answered` once every open connection has its status line; `close` -> `closed`.
 */
import { connect, type Socket } from 'node:net';

const CHUNK = 250;
let sockets: Socket[] = [];
let answered = 0;
let ok = 0;
let expected = 0;

function send(message: object): void {
  process.send?.(message);
}

async function open(port: number, count: number, request: boolean): Promise<void> {
  answered = 0;
  ok = 0;
  expected = request ? count : 0;
  for (let start = 0; start < count; start += CHUNK) {
    const chunk: Promise<void>[] = [];
    for (let i = start; i < Math.min(count, start + CHUNK); i += 1) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      let seen = false;
      socket.on('data', (data: Buffer) => {
        if (seen) return;
        seen = true;
        answered += 1;
        if (data.toString('latin1', 0, 12) === 'HTTP/1.1 200') ok += 1;
        if (answered === expected) send({ type: 'answered', answered, ok });
      });
      sockets.push(socket);
      chunk.push(new Promise((resolve) => socket.once('connect', () => {
        if (request) socket.write(`GET /held/${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
        resolve();
      })));
    }
    await Promise.all(chunk);
  }
}

process.on('message', (message: { type: string; port?: number; count?: number; request?: boolean }) => {
  if (message.type === 'open') {
    void open(message.port!, message.count!, message.request === true).then(() => send({ type: 'opened' }));
  } else if (message.type === 'close') {
    for (const socket of sockets) socket.destroy();
    sockets = [];
    send({ type: 'closed' });
  }
});
process.on('disconnect', () => process.exit(0));
