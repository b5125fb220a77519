import { expect } from 'chai';
import { ControlInputError } from '../../src/control/errors.js';
import { resolveScope } from '../../src/control/scope-options.js';

describe('control/scope-options', function () {
  it('is the whole site when absent or empty', function () {
    expect(resolveScope(undefined)).to.equal(undefined);
    expect(resolveScope({})).to.equal(undefined);
    expect(resolveScope({ paths: [], hosts: [], properties: { tenant: [] } })).to.equal(undefined);
  });

  it('normalises paths as routers match them, hosts as the hostname field holds them, and drops repeats', function () {
    expect(resolveScope({ paths: [' /Checkout/ ', '/checkout', '/cart//'], hosts: ['API.example.com.', 'api.example.com', '[::1]'], properties: { tenant: 'acme', region: ['eu', 'eu'] } })).to.deep.equal({
      paths: ['/checkout', '/cart'],
      hosts: ['api.example.com', '[::1]'],
      properties: { tenant: ['acme'], region: ['eu'] },
    });
  });

  const refused: [unknown, string, RegExp][] = [
    [{ paths: ['checkout'] }, 'scope.paths[0]', /starting with "\/"/],
    [{ paths: ['/ok', '/a?b=1'] }, 'scope.paths[1]', /without query/],
    [{ paths: ['/'] }, 'scope.paths[0]', /whole site/],
    [{ paths: ['//'] }, 'scope.paths[0]', /whole site/],
    [{ paths: ['/checkout/..'] }, 'scope.paths[0]', /without "." or ".." segments/],
    [{ paths: ['/./checkout'] }, 'scope.paths[0]', /without "." or ".." segments/],
    [{ paths: '/checkout' }, 'scope.paths', /list of texts/],
    [{ paths: [''] }, 'scope.paths[0]', /non-empty/],
    [{ hosts: ['api.example.com:8080'] }, 'scope.hosts[0]', /without port or scheme/],
    [{ hosts: ['https://api.example.com'] }, 'scope.hosts[0]', /without port or scheme/],
    [{ properties: { 'bad name': 'x' } }, 'scope.properties.bad name', /named like a context field/],
    [{ properties: { path: '/x' } }, 'scope.properties.path', /options of their own/],
    [{ properties: { routePath: '/x/' } }, 'scope.properties.routePath', /not a property to close/],
    [{ properties: { hostname: 'a' } }, 'scope.properties.hostname', /hosts/],
    [{ properties: { currentTime: 'x' } }, 'scope.properties.currentTime', /from\/until/],
    [{ properties: { tenant: [''] } }, 'scope.properties.tenant[0]', /non-empty/],
    [{ properties: ['tenant=acme'] }, 'scope.properties', /object/],
    ['/checkout', 'scope', /must be an object/],
  ];
  for (const [scope, option, problem] of refused) {
    it(`refuses ${JSON.stringify(scope)}, naming ${option}`, function () {
      expect(() => resolveScope(scope as never)).to.throw(ControlInputError, problem).with.property('option', option);
    });
  }
});
