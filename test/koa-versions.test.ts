import { expect } from 'chai';
import Koa2 from 'koa2';
import Koa3 from 'koa';
import request from 'supertest';
import { maintenance } from '../src/index.js';
import { destroyUnleashClients, flag, realUnleash } from './support/unleash.js';

// The peer range is koa ^2 || ^3: the same contract must hold on both majors.
for (const [name, Koa] of [['Koa 2', Koa2], ['Koa 3', Koa3]] as const) {
  describe(`on ${name}`, () => {
    after(destroyUnleashClients);

    it('blocks with the full 503 contract, lets allowed URLs through, and passes everything while off', async () => {
      const onApp = new Koa();
      onApp.use(maintenance({ unleash: await realUnleash([flag(true)]), allowedUrls: ['^/healthz$'], retryAfter: 60 }) as never);
      onApp.use((ctx: { body: unknown }) => {
        ctx.body = 'route';
      });
      const blocked = await request(onApp.callback()).get('/').set('Accept', 'application/json');
      expect(blocked.status).to.equal(503);
      expect(blocked.headers).to.include({ 'cache-control': 'no-store', 'retry-after': '60' });
      expect(blocked.headers.vary).to.match(/^Accept\b/);
      expect(blocked.headers['content-type']).to.match(/^application\/problem\+json/);
      expect((await request(onApp.callback()).get('/')).text).to.contain('<h1>Down for maintenance</h1>');
      expect((await request(onApp.callback()).get('/healthz')).text).to.equal('route');

      const offApp = new Koa();
      offApp.use(maintenance({ unleash: await realUnleash([flag(false)]) }) as never);
      offApp.use((ctx: { body: unknown }) => {
        ctx.body = 'route';
      });
      expect((await request(offApp.callback()).get('/')).text).to.equal('route');
    });
  });
}
