import { expect } from 'chai';
import { describeScope, routePathOf, scopeConstraints, scopeKey, scopeOfConstraints, type MaintenanceScope } from '../../src/flag/scope.js';

describe('flag/scope', function () {
  describe('routePathOf: the path as routers match it, widened', function () {
    const cases: [string, string][] = [
      ['/', '/'],
      ['/checkout', '/checkout/'],
      ['/checkout/', '/checkout/'],
      ['/CHECKOUT', '/checkout/'],
      ['/Checkout/Pay/', '/checkout/pay/'],
      ['/%63heckout', '/checkout/'],
      ['/%43HECKOUT%2fpay', '/checkout/pay/'],
      ['//checkout', '/checkout/'],
      ['/./checkout/.', '/checkout/'],
      // `..` stays a segment: routers match the raw path, so `/checkout/..` is a step of `/checkout/:step`.
      ['/checkout/..', '/checkout/../'],
      ['/checkout/%2e%2E/cart', '/checkout/../cart/'],
      ['/x/../checkout', '/x/../checkout/'],
      ['\\checkout\\pay', '/checkout/pay/'],
      ['/checkout%5Cpay', '/checkout/pay/'],
      ['/checkouts', '/checkouts/'],
      ['/caf%C3%A9', '/caf%c3%a9/'],
      ['/a%2', '/a%2/'],
      ['', '/'],
    ];
    for (const [raw, expected] of cases) {
      it(`${JSON.stringify(raw)} → ${expected}`, function () {
        expect(routePathOf(raw)).to.equal(expected);
      });
    }

    it('decodes once: a double escape stays an escape', function () {
      expect(routePathOf('/%2563heckout')).to.equal('/%2563heckout/');
    });
  });

  describe('scopeConstraints and scopeOfConstraints', function () {
    const scope: MaintenanceScope = { paths: ['/checkout', '/cart'], hosts: ['shop.example.com'], properties: { tenant: ['acme', 'globex'], region: ['eu'] } };

    it('writes a path scope on routePath, hosts and properties with IN, in a stable order', function () {
      expect(scopeConstraints(scope)).to.deep.equal([
        { contextName: 'routePath', operator: 'STR_STARTS_WITH', values: ['/checkout/', '/cart/'], inverted: false, caseInsensitive: true },
        { contextName: 'hostname', operator: 'IN', values: ['shop.example.com'], inverted: false, caseInsensitive: false },
        { contextName: 'region', operator: 'IN', values: ['eu'], inverted: false, caseInsensitive: false },
        { contextName: 'tenant', operator: 'IN', values: ['acme', 'globex'], inverted: false, caseInsensitive: false },
      ]);
      expect(scopeConstraints({ paths: [], hosts: [], properties: {} })).to.deep.equal([]);
    });

    it('reads back what it wrote, beside time constraints, as the same scope', function () {
      const time = { contextName: 'currentTime', operator: 'DATE_BEFORE', value: '2030-01-01T00:00:00Z', values: [], inverted: false };
      const read = scopeOfConstraints([time, ...scopeConstraints(scope)]);
      expect(read?.unread).to.equal(0);
      expect(scopeKey(read?.scope)).to.equal(scopeKey(scope));
    });

    it('is the whole site when only time narrows it, and counts what it cannot read', function () {
      expect(scopeOfConstraints([{ contextName: 'currentTime', operator: 'DATE_AFTER', value: '2030-01-01T00:00:00Z' }])).to.equal(undefined);
      expect(scopeOfConstraints(undefined)).to.equal(undefined);
      expect(scopeOfConstraints('x')).to.equal(undefined);
      const odd = scopeOfConstraints([
        { contextName: 'userId', operator: 'NOT_IN', values: ['a'] },
        { contextName: 'hostname', operator: 'IN', values: ['a.example'], inverted: true },
        { contextName: 'routePath', operator: 'STR_STARTS_WITH', values: ['/Checkout/'], caseInsensitive: true },
        { contextName: 'routePath', operator: 'STR_STARTS_WITH', values: ['/cart/'] },
        null,
      ]);
      expect(odd).to.deep.equal({ scope: { paths: ['/checkout'], hosts: [], properties: {} }, unread: 3 });
    });

    it('tells scopes apart by content, not by order', function () {
      expect(scopeKey({ paths: ['/b', '/a'], hosts: [], properties: { t: ['y', 'x'] } })).to.equal(scopeKey({ paths: ['/a', '/b'], hosts: [], properties: { t: ['x', 'y'] } }));
      expect(scopeKey({ paths: ['/a'], hosts: [], properties: {} })).to.not.equal(scopeKey({ paths: [], hosts: ['/a'], properties: {} }));
      expect(scopeKey(undefined)).to.equal('');
    });
  });

  it('describes a scope for the command and the strategy title', function () {
    expect(describeScope(undefined)).to.equal('the whole site');
    expect(describeScope({ paths: ['/checkout', '/cart'], hosts: ['shop.example.com'], properties: { tenant: ['acme'] } })).to.equal('/checkout, /cart on shop.example.com for tenant acme');
    expect(describeScope({ paths: [], hosts: ['api.example.com'], properties: {} })).to.equal('api.example.com');
    expect(describeScope({ paths: [], hosts: [], properties: { tenant: ['acme', 'globex'] } })).to.equal('tenant acme, globex');
    expect(describeScope({ paths: [], hosts: [], properties: {} })).to.equal('part of the site');
    expect(describeScope({ paths: ['/checkout'], hosts: [], properties: {} }, 1)).to.equal('/checkout (+1 condition)');
    expect(describeScope({ paths: [], hosts: [], properties: {} }, 2)).to.equal('part of the site (+2 conditions)');
  });
});
