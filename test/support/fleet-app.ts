// One member of the fleet in fleet.test.ts: its own process, its own Unleash client.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { maintenance } from '../../src/index.js';
import { createTestClient, waitUntilSynchronized } from './server-client.js';

export interface FleetAppReady {
  port: number;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`fleet-app: ${name} is not set`);
  return value;
}

const client = createTestClient({
  url: requiredEnv('UNLEASH_URL'),
  token: requiredEnv('UNLEASH_TOKEN'),
  appName: `fleet-app-${process.pid}`,
});
client.unleash.on('error', (error: Error) => console.error(`fleet-app ${process.pid}: ${error.message}`));

const app = new Koa();
app.use(maintenance({ unleash: client.unleash, flagName: requiredEnv('FLAG_NAME') }));
app.use((ctx) => {
  ctx.body = 'open';
});
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
await waitUntilSynchronized(client);

const shutDown = () => {
  client.destroy();
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', shutDown);
process.on('disconnect', shutDown); // the test run went away

const ready: FleetAppReady = { port: (server.address() as AddressInfo).port };
process.send?.(ready);
