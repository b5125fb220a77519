import Koa from 'koa';
import { maintenance, type MaintenanceOptions } from '../../src/index.js';

/** A Koa app with the middleware in front of a route that answers 200 with the recorded maintenance state. */
export function appWith(options: MaintenanceOptions): Koa {
  const app = new Koa();
  app.use(maintenance({ logger: { warn() {}, error() {} }, ...options }));
  app.use((ctx) => {
    ctx.body = { route: ctx.path, maintenance: ctx.state.maintenance };
  });
  return app;
}
