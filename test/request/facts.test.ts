import { expect } from 'chai';
import Koa, { type Context } from 'koa';
import { createFactsReader } from '../../src/request/facts.js';

/** A real Koa context for `url`, from a socket whose peer is 127.0.0.9. */
function contextFor(url: string): Context {
  const app = new Koa();
  const req = { url, method: 'GET', headers: { host: 'shop.example' }, socket: { remoteAddress: '127.0.0.9' } };
  return app.createContext(req as never, { getHeader() {}, setHeader() {}, removeHeader() {} } as never);
}

describe('request facts', () => {
  function countingReader() {
    const calls = { clientIp: 0, context: 0 };
    const read = createFactsReader({
      resolveClientIp: (req) => {
        calls.clientIp += 1;
        return req.socket.remoteAddress;
      },
      buildContext: (_ctx, remoteAddress, path) => {
        calls.context += 1;
        return { remoteAddress, properties: { path } };
      },
    });
    return { read, calls };
  }

  it('computes nothing until a rule asks', () => {
    const { read, calls } = countingReader();
    read(contextFor('/'));
    expect(calls).to.deep.equal({ clientIp: 0, context: 0 });
  });

  it('computes each fact at most once, the context from the same client IP and path', () => {
    const { read, calls } = countingReader();
    const facts = read(contextFor('/admin/x?y=1'));
    expect(facts.unleashContext()).to.deep.equal({ remoteAddress: '127.0.0.9', properties: { path: '/admin/x' } });
    expect(facts.unleashContext()).to.equal(facts.unleashContext());
    expect([facts.clientIp(), facts.clientIp()]).to.deep.equal(['127.0.0.9', '127.0.0.9']);
    expect(calls).to.deep.equal({ clientIp: 1, context: 1 });
  });

  it('gives rules the raw path only in normal form, and nothing for a target Koa cannot read', () => {
    const { read } = countingReader();
    expect(read(contextFor('/admin/x')).rulePath()).to.equal('/admin/x');
    expect(read(contextFor('/%61dmin/x')).rawPath()).to.equal('/%61dmin/x');
    expect(read(contextFor('/%61dmin/x')).rulePath()).to.equal(undefined);
    const unreadable = read(contextFor('http://[::1/healthz'));
    expect([unreadable.rawPath(), unreadable.rulePath()]).to.deep.equal([undefined, undefined]);
  });

  it('reads a null ctx.path (GET http://, GET foo://) as unknown: nothing for the rules, nothing for Unleash', () => {
    const { read } = countingReader();
    for (const target of ['http://', 'https://', 'foo://', 'http://@']) {
      const facts = read(contextFor(target));
      expect([facts.rawPath(), facts.rulePath()], target).to.deep.equal([undefined, undefined]);
      expect(facts.unleashContext(), target).to.deep.equal({ remoteAddress: '127.0.0.9', properties: { path: undefined } });
    }
  });
});
