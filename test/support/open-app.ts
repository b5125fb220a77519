import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { maintenance, type MaintenanceOptions } from '../../src/index.js';

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** A Koa app behind the middleware, listening on 127.0.0.1 on a free port. */
export async function startApp(options: MaintenanceOptions): Promise<RunningApp> {
  const app = new Koa();
  app.use(maintenance(options));
  app.use((ctx) => {
    ctx.body = 'open';
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
