/**
 * One worker process of `npm run bench:fleet`: holds its share of the fleet's real unleash-client instances,
 * their first polls spread evenly over one refresh interval, and reports when each one first answers a
 * flag state the parent asks about. Run by bench/fleet.ts through IPC only.
 */
import { InMemStorageProvider, Unleash } from 'unleash-client';

interface Start {
  type: 'start';
  url: string;
  token: string;
  flag: string;
  count: number;
  refreshMs: number;
  /** This worker's clients are the `offset`-th, `offset + stride`-th, … of the fleet: polls interleave across workers. */
  offset: number;
  stride: number;
  fleetSize: number;
}
interface Expect {
  type: 'expect';
  enabled: boolean;
}
type Message = Start | Expect | { type: 'stop' };

const clients: Unleash[] = [];
let flag = '';
let expected: boolean | undefined;
let seenAt: (number | undefined)[] = [];

function send(message: object): void {
  process.send?.(message);
}

/** Records, once, when client `index` first answers the expected state. */
function check(index: number): void {
  if (expected === undefined || seenAt[index] !== undefined) return;
  if (clients[index]!.isEnabled(flag) === expected) seenAt[index] = Date.now();
  if (seenAt.every((time) => time !== undefined)) send({ type: 'seen', times: seenAt });
}

async function start(message: Start): Promise<void> {
  flag = message.flag;
  const ready: Promise<void>[] = [];
  for (let i = 0; i < message.count; i += 1) {
    const position = message.offset + i * message.stride;
    await new Promise((resolve) => setTimeout(resolve, i === 0 ? (position * message.refreshMs) / message.fleetSize : (message.stride * message.refreshMs) / message.fleetSize));
    const unleash = new Unleash({
      url: `${message.url}/api`,
      appName: 'fleet-bench',
      instanceId: `fleet-${position}`,
      customHeaders: { Authorization: message.token },
      refreshInterval: message.refreshMs,
      disableMetrics: true,
      skipInstanceCountWarning: true,
      storageProvider: new InMemStorageProvider(),
    });
    unleash.on('error', () => {});
    unleash.on('warn', () => {});
    const index = clients.push(unleash) - 1;
    unleash.on('changed', () => check(index));
    ready.push(new Promise((resolve) => (unleash.isSynchronized() ? resolve() : unleash.once('synchronized', () => resolve()))));
  }
  await Promise.all(ready);
  send({ type: 'ready' });
}

process.on('message', (message: Message) => {
  if (message.type === 'start') void start(message);
  if (message.type === 'expect') {
    expected = message.enabled;
    seenAt = clients.map(() => undefined);
    clients.forEach((_, index) => check(index));
  }
  if (message.type === 'stop') {
    for (const unleash of clients) unleash.destroy();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
