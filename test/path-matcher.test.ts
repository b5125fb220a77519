import { expect } from 'chai';
import { canonicalPath, compileUrlMatcher, pathForRules } from '../src/path-matcher.js';

describe('canonicalPath', () => {
  const cases: [raw: string, canonical: string | undefined][] = [
    ['/', '/'],
    ['/status', '/status'],
    ['/admin/', '/admin/'],
    ['/admin/../private', '/private'],
    ['/admin/./x', '/admin/x'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['//admin', '/admin'],
    ['/a///b', '/a/b'],
    ['/%61dmin/x', '/admin/x'],
    ['/admin%2F..%2Fprivate', '/private'],
    ['/admin/%2e%2e/private', '/private'],
    ['/admin\\..\\private', '/private'],
    ['/admin%5C..%5Cprivate', '/private'],
    ['/%252e%252e/x', '/%2e%2e/x'],
    ['/caf%C3%A9', '/café'],
    ['/nul%00byte', '/nul\u0000byte'],
    ['status', '/status'],
    ['*', '/*'],
    ['/%E0%A4%A', undefined],
    ['/%C0%AE%C0%AE/x', undefined],
    ['/%', undefined],
    ['/%zz', undefined],
  ];
  for (const [raw, canonical] of cases) {
    it(`${JSON.stringify(raw)} → ${canonical === undefined ? 'undecodable' : JSON.stringify(canonical)}`, () => {
      expect(canonicalPath(raw)).to.equal(canonical);
    });
  }
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

describe('pathForRules', () => {
  const cases: [raw: string, path: string | undefined][] = [
    ['/healthz', '/healthz'],
    ['/admin/', '/admin/'],
    ['/%61dmin/x', '/admin/x'],
    ['/admin%2Fx', '/admin/x'],
    ['/%252e%252e/x', '/%2e%2e/x'],
    ['/', '/'],
    ['/graphql/../healthz', undefined],
    ['/graphql/%2e%2e/healthz', undefined],
    ['/graphql/..%2Fhealthz', undefined],
    ['/graphql\\..\\healthz', undefined],
    ['//admin', undefined],
    ['/admin//x', undefined],
    ['/./admin', undefined],
    ['/admin/.', undefined],
    ['/%E0%A4%A', undefined],
  ];
  for (const [raw, path] of cases) {
    it(`${JSON.stringify(raw)} → ${path === undefined ? 'no rule applies' : JSON.stringify(path)}`, () => {
      expect(pathForRules(raw)).to.equal(path);
    });
  }
});
