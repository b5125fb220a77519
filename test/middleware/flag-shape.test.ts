import { expect } from 'chai';
import fc from 'fast-check';
import type { Context as UnleashContext } from 'unleash-client';
import { shapeOf, type FeatureDefinition } from '../../src/middleware/flag-reader.js';
import { seeded } from '../support/property.js';
import { destroyUnleashClients, FLAG, realUnleash, type FlagDefinition } from '../support/unleash.js';

/**
 * `shapeOf` mirrors unleash-client's evaluation rules to skip building a request context for flags whose answer
 * cannot depend on it. This holds the mirror against the real client: for every definition called context-free,
 * the client answers an empty context exactly as it answers any request's context. If a client release starts
 * reading the context where `shapeOf` says it cannot, this fails.
 */
const constraint = fc.constantFrom<unknown>(
  { contextName: 'userId', operator: 'IN', values: ['alice'] },
  { contextName: 'path', operator: 'STR_STARTS_WITH', values: ['/admin'] },
  { contextName: 'currentTime', operator: 'DATE_AFTER', value: '2020-01-01T00:00:00Z' },
);
const variant = { name: 'window', weight: 1000, weightType: 'variable', stickiness: 'default', payload: { type: 'json', value: '{}' } };
const strategy = fc.record({
  name: fc.constantFrom('default', 'flexibleRollout', 'userWithId', 'remoteAddress', 'applicationHostname'),
  parameters: fc.constantFrom<Record<string, string>>({}, { rollout: '50', stickiness: 'default', groupId: FLAG }, { userIds: 'alice' }, { IPs: '127.0.0.1' }, { hostNames: 'app-1' }),
  constraints: fc.oneof(fc.constant<unknown[]>([]), fc.array(constraint, { minLength: 1, maxLength: 2 })),
  variants: fc.constantFrom<unknown[]>([], [variant]),
});
const definition = fc.record({
  enabled: fc.boolean(),
  strategies: fc.array(strategy, { maxLength: 3 }),
  variants: fc.constantFrom<unknown[] | undefined>(undefined, [], [variant]),
  impressionData: fc.boolean(),
});

const contexts: UnleashContext[] = [
  {},
  { userId: 'alice', sessionId: 's-1', remoteAddress: '127.0.0.1', properties: { path: '/admin/x', method: 'POST', hostname: 'shop.example' } },
  { userId: 'bob', sessionId: 's-2', remoteAddress: '10.0.0.9', properties: { path: '/', method: 'GET', hostname: 'other.example' } },
  { sessionId: 's-3', remoteAddress: '::1' },
];

describe('shapeOf against the real unleash-client', function () {
  after(destroyUnleashClients);

  it('calls a definition context-free only when the client answers every context alike', async function () {
    let contextFree = 0;
    await fc.assert(
      fc.asyncProperty(definition, async (generated) => {
        const flag: FlagDefinition = { name: FLAG, ...generated };
        if (!shapeOf(flag).contextFree) return;
        contextFree += 1;
        const unleash = await realUnleash([flag]);
        try {
          const answers = contexts.flatMap((context) => [unleash.isEnabled(FLAG, context), unleash.getVariant(FLAG, context).feature_enabled]);
          expect(new Set(answers).size, JSON.stringify(flag)).to.equal(1);
        } finally {
          unleash.destroy();
        }
      }),
      seeded(300),
    );
    expect(contextFree, 'context-free definitions were generated').to.be.greaterThan(30);
  });

  it('calls the definitions the middleware shortcuts context-free, and the rest not', () => {
    const plain: FeatureDefinition = { enabled: true, strategies: [{ name: 'default', constraints: [] }] };
    expect(shapeOf(plain)).to.deep.equal({ contextFree: true, hasVariants: false });
    expect(shapeOf({ ...plain, enabled: false })).to.deep.equal({ contextFree: true, hasVariants: false });
    expect(shapeOf({ enabled: true, strategies: [{ name: 'flexibleRollout' }] }).contextFree).to.equal(false);
    expect(shapeOf({ ...plain, impressionData: true }).contextFree).to.equal(false);
    expect(shapeOf({ ...plain, dependencies: [{ feature: 'other' }] }).contextFree).to.equal(false);
    expect(shapeOf({ ...plain, variants: [{}] })).to.deep.equal({ contextFree: false, hasVariants: true });
  });
});
