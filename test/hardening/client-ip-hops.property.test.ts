import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { expect } from 'chai';
import fc from 'fast-check';
import proxyaddr from 'proxy-addr';
import { compileTrust, createClientIpResolver, MAX_TRUSTED_HOPS, type TrustFunction } from '../../src/request/client-ip.js';
import { unmapIPv4, withoutZone } from '../../src/request/ip-matcher.js';
import { seeded } from '../support/property.js';

const RUNS = seeded(1000);

const request = (forwardedFor: string | undefined, remoteAddress = '127.0.0.1') =>
  ({ headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }, socket: { remoteAddress } }) as unknown as IncomingMessage;

/** proxy-addr's answer under the same trust, in the resolver's normal form: the oracle within the bound. */
function proxyAddrAnswer(req: IncomingMessage, trust: TrustFunction): string | undefined {
  const address = proxyaddr(req, (hop: string, index: number) => typeof hop === 'string' && trust(hop, index) === true);
  if (typeof address !== 'string' || isIP(address) === 0) return undefined;
  const bare = withoutZone(address);
  return bare === undefined ? undefined : unmapIPv4(bare);
}

function counting(trust: TrustFunction): { trust: TrustFunction; calls: () => number } {
  let calls = 0;
  return {
    trust: (address, hop) => {
      calls += 1;
      return trust(address, hop);
    },
    calls: () => calls,
  };
}

const TRUSTS: [string, TrustFunction][] = [
  ["['loopback', '10.0.0.0/8']", compileTrust(['loopback', '10.0.0.0/8']) as TrustFunction],
  ['3', compileTrust(3) as TrustFunction],
  ['40', compileTrust(40) as TrustFunction],
  ['true', compileTrust(true) as TrustFunction],
];

const token = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('127.0.0.1', '::1', '10.1.2.3', '::ffff:10.0.0.1', 'fe80::1%eth0', '127.0.0.1%eth0') },
  { weight: 2, arbitrary: fc.constantFrom('203.0.113.7', '2001:db8::1', '::ffff:203.0.113.7') },
  { weight: 1, arbitrary: fc.constantFrom('unknown', '10.0.0.5:80', '\t10.0.0.5', '10.0.0.5\t', '10.0.0.5 10.0.0.6', '') },
  { weight: 1, arbitrary: fc.ipV4() },
);
/** One list element: a token with spaces around it, sometimes a long run of them (an element over 64 characters). */
const element = fc.tuple(fc.nat(3), token, fc.nat(3), fc.integer({ min: 0, max: 20 })).map(([before, text, after, longRun]) =>
  `${' '.repeat(longRun === 20 ? 70 : before)}${text}${' '.repeat(after)}`,
);
const list = fc.array(element, { maxLength: 3 * MAX_TRUSTED_HOPS }).map((elements) => elements.join(','));
const peer = fc.constantFrom('127.0.0.1', '::ffff:127.0.0.1', '203.0.113.9', '10.9.9.9');

describe('hardening: the trusted-hop walk is bounded and otherwise proxy-addr exactly (property-based)', () => {
  for (const [name, trust] of TRUSTS) {
    it(`with trustProxy ${name}: proxy-addr's answer, or unknown only past the bound, never another address`, () => {
      const resolve = createClientIpResolver(trust);
      fc.assert(
        fc.property(list, peer, (header, remoteAddress) => {
          const req = request(header, remoteAddress);
          const expected = proxyAddrAnswer(req, trust);
          const resolved = resolve(req);
          const elements = header.split(',');
          const withinBound = elements.length <= MAX_TRUSTED_HOPS && elements.every((text) => text.length <= 64);
          if (withinBound || resolved !== undefined) expect(resolved, JSON.stringify(header)).to.equal(expected);
        }),
        RUNS,
      );
    });
  }

  it(`passes ${MAX_TRUSTED_HOPS} trusted hops and no more: behind a longer chain the client is unknown`, () => {
    const resolve = createClientIpResolver(compileTrust('loopback'));
    const hops = (count: number) => Array.from({ length: count }, () => '127.0.0.1');
    // The peer is hop 0, so MAX_TRUSTED_HOPS - 1 loopback entries plus the peer are MAX_TRUSTED_HOPS trusted hops.
    expect(resolve(request(['203.0.113.7', ...hops(MAX_TRUSTED_HOPS - 1)].join(', ')))).to.equal('203.0.113.7');
    expect(resolve(request(['203.0.113.7', ...hops(MAX_TRUSTED_HOPS)].join(', ')))).to.equal(undefined);
    // The left-most entry is the client when everything to its right is trusted; past the bound it is not reached.
    expect(resolve(request(hops(MAX_TRUSTED_HOPS).join(', ')))).to.equal('127.0.0.1');
    expect(resolve(request(hops(MAX_TRUSTED_HOPS + 1).join(', ')))).to.equal(undefined);
    // The same bound for a hop count and for `true`.
    expect(createClientIpResolver(compileTrust(100))(request(hops(1_400).join(', ')))).to.equal(undefined);
    expect(createClientIpResolver(compileTrust(true))(request(['203.0.113.7', ...hops(40)].join(', ')))).to.equal(undefined);
    // An untrusted hop within the bound ends the walk wherever the rest of the list goes.
    expect(resolve(request([...hops(1_400), '203.0.113.7', '127.0.0.1'].join(', ')))).to.equal('203.0.113.7');
  });

  it('asks the trust function at most once per hop within the bound, however many hops are sent (1,400 loopback hops fit in 16 kB)', () => {
    const header = Array.from({ length: 1_400 }, () => '127.0.0.1').join(', ');
    expect(header.length).to.be.below(16_384);
    for (const setting of ['loopback', true, 2_000] as const) {
      const { trust, calls } = counting(compileTrust(setting) as TrustFunction);
      expect(createClientIpResolver(trust)(request(header)), String(setting)).to.equal(undefined);
      expect(calls(), String(setting)).to.be.at.most(MAX_TRUSTED_HOPS + 1);
    }
    // proxy-addr, for scale: every hop.
    const { trust, calls } = counting(compileTrust('loopback') as TrustFunction);
    proxyaddr(request(header), trust);
    expect(calls()).to.equal(1_400);
  });

  it('reads no further than the bound through empty elements and long runs of spaces, and fails closed there', () => {
    const resolve = createClientIpResolver(compileTrust(true));
    expect(resolve(request(`203.0.113.7${','.repeat(15_000)}`))).to.equal(undefined);
    expect(resolve(request(`203.0.113.7${' '.repeat(15_000)}, 127.0.0.1`))).to.equal(undefined);
    expect(resolve(request(`${' '.repeat(15_000)}203.0.113.7, 127.0.0.1`))).to.equal(undefined);
    // An untrusted hop right of them is the client, as proxy-addr says: nothing left of it matters.
    const byList = createClientIpResolver(compileTrust('loopback'));
    expect(byList(request(`${','.repeat(15_000)}203.0.113.7, 127.0.0.1`))).to.equal('203.0.113.7');
    // One entry longer than the window: its unread start may make it no address at all, as here for proxy-addr.
    const padded = `A${' '.repeat(1_100)}10.0.0.5`;
    expect(proxyAddrAnswer(request(padded), compileTrust('loopback') as TrustFunction), 'proxy-addr').to.not.equal('10.0.0.5');
    expect(byList(request(padded))).to.equal(undefined);
    // Within the bound, empty elements and spaces are skipped as proxy-addr skips them.
    expect(resolve(request(' ,, 203.0.113.7 ,  , 127.0.0.1 '))).to.equal('203.0.113.7');
  });
});
