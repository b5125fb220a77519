import { expect } from 'chai';
import { compileUrlMatcher, isNormalPath, pathForRules, readPath } from '../../src/request/path.js';

describe('isNormalPath: the only paths a rule may let through', () => {
  const cases: [raw: string, normal: boolean][] = [
    ['/', true],
    ['/healthz', true],
    ['/admin/', true],
    ['/admin/users/42', true],
    ['/admin/caf%C3%A9', true], // encoded non-ASCII is matched as written
    ['/a%20b', true],
    ['/%252e%252e/x', true], // `%25` is an encoded `%`: text, not a dot
    ['/a;b', true],
    ['/file.tar.gz', true],
    ['/.well-known/x', true],
    ['/...', true],
    ['/%61dmin/x', false], // an encoded letter: a router sees `%61dmin`, not `admin`
    ['/%68ealthz', false],
    ['/%41DMIN', false],
    ['/x%2d%5F%7e', false],
    ['/v%31', false],
    ['/admin%2Fx', false],
    ['/admin%2fx', false],
    ['/admin%5Cx', false],
    ['/admin/%2e%2e/x', false],
    ['/admin/%2E', false],
    ['/graphql/../healthz', false],
    ['/graphql\\..\\healthz', false],
    ['/admin\\x', false],
    ['//admin', false],
    ['/admin//x', false],
    ['/./admin', false],
    ['/admin/.', false],
    ['/admin/..', false],
    ['%68ealthz', false], // no leading `/`: what Koa reads from `GET http://a.%68ealthz`
    ['healthz', false],
    ['*', false],
    ['', false],
    ['/%E0%A4%A', false], // truncated escape
    ['/%C0%AE%C0%AE/x', false], // overlong UTF-8
    ['/%', false],
    ['/%zz', false],
  ];
  for (const [raw, normal] of cases) {
    it(`${JSON.stringify(raw)} → ${normal ? 'normal' : 'no rule may pass it'}`, () => {
      expect(isNormalPath(raw)).to.equal(normal);
      expect(pathForRules(raw)).to.equal(normal ? raw : undefined);
    });
  }

  it('gives no rule a path Koa cannot read', () => {
    const unreadable = {
      get path(): string {
        throw new TypeError('Invalid URL');
      },
    };
    expect(readPath(unreadable)).to.equal(undefined);
    expect(pathForRules(readPath(unreadable))).to.equal(undefined);
  });
});

describe('compileUrlMatcher', () => {
  it('tests RegExps and regex sources against the path', () => {
    const isAllowed = compileUrlMatcher([/^\/healthz$/, '^/admin(/|$)']);
    expect(isAllowed('/healthz')).to.equal(true);
    expect(isAllowed('/admin')).to.equal(true);
    expect(isAllowed('/admin/users')).to.equal(true);
    expect(isAllowed('/administrator')).to.equal(false);
    expect(isAllowed('/healthz/x')).to.equal(false);
  });

  it('keeps the flags a RegExp was given, and answers the same on every call', () => {
    const isAllowed = compileUrlMatcher([/^\/STATUS$/i]);
    expect([isAllowed('/status'), isAllowed('/status'), isAllowed('/Status')]).to.deep.equal([true, true, true]);
  });

  it('allows nothing when there are no patterns', () => {
    expect(compileUrlMatcher([])('/')).to.equal(false);
  });
});
