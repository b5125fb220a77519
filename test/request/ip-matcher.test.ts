import { expect } from 'chai';
import { compileIpMatcher, unmapIPv4, withoutZone } from '../../src/request/ip-matcher.js';

describe('compileIpMatcher', () => {
  const cases: [entries: string[], address: string, matches: boolean][] = [
    [['127.0.0.1'], '127.0.0.1', true],
    [['127.0.0.1'], '127.0.0.2', false],
    [['10.0.0.0/8'], '10.255.3.4', true],
    [['10.0.0.0/8'], '11.0.0.1', false],
    [['192.168.1.0/24'], '192.168.1.255', true],
    [['192.168.1.0/24'], '192.168.2.0', false],
    [['192.168.1.7/24'], '192.168.1.200', true],
    [['0.0.0.0/0'], '203.0.113.9', true],
    [['0.0.0.0/0'], '2001:db8::1', false],
    [['2001:db8::/32'], '2001:db8:ffff::1', true],
    [['2001:db8::/32'], '2001:db9::1', false],
    [['::1'], '::1', true],
    [['::1'], '0:0:0:0:0:0:0:1', true],
    [['fe80::/10'], 'fe80::1%eth0', true],
    [['::/0'], '2001:db8::1', true],
    // IPv4-mapped IPv6 is the same address as its IPv4 form, both ways.
    [['127.0.0.1'], '::ffff:127.0.0.1', true],
    [['::ffff:127.0.0.1'], '127.0.0.1', true],
    [['10.0.0.0/8'], '::ffff:10.1.2.3', true],
    [['::ffff:10.0.0.0/104'], '10.1.2.3', true],
    [['::ffff:10.0.0.0/104'], '11.1.2.3', false],
    [['::ffff:7f00:1'], '127.0.0.1', true],
    // Named ranges, the same names proxy-addr knows.
    [['loopback'], '127.8.8.8', true],
    [['loopback'], '::1', true],
    [['loopback'], '10.0.0.1', false],
    [['uniquelocal'], '172.31.255.255', true],
    [['uniquelocal'], '172.32.0.0', false],
    [['uniquelocal'], 'fd12::1', true],
    [['linklocal'], '169.254.9.9', true],
    // Anything that is not an address matches nothing.
    [['0.0.0.0/0', '::/0'], 'not-an-ip', false],
    [['0.0.0.0/0', '::/0'], '', false],
    [['0.0.0.0/0', '::/0'], '127.0.0.1:8080', false],
    [['0.0.0.0/0', '::/0'], '127.0.0.01', false],
    [['127.0.0.1'], ' 127.0.0.1', false],
    // A zone id belongs to link-local IPv6 alone; anywhere else the text is no address (proxy-addr agrees).
    [['loopback'], '127.0.0.1%eth0', false],
    [['loopback'], '::1%eth0', false],
    [['10.0.0.0/8'], '::ffff:10.0.0.5%x', false],
    [['0.0.0.0/0', '::/0'], '10.0.0.5%x', false],
    [['fe80::/10'], 'fe8::1%eth0', false],
    [[], '127.0.0.1', false],
  ];
  for (const [entries, address, matches] of cases) {
    it(`${JSON.stringify(entries)} ${matches ? 'matches' : 'does not match'} ${JSON.stringify(address)}`, () => {
      expect(compileIpMatcher(entries, 'bypassIps')(address)).to.equal(matches);
    });
  }

  it('trims entries and ignores the prototype chain when naming ranges', () => {
    expect(compileIpMatcher([' 10.0.0.1 '], 'bypassIps')('10.0.0.1')).to.equal(true);
    expect(() => compileIpMatcher(['constructor'], 'bypassIps')).to.throw(TypeError, 'bypassIps[0] "constructor"');
    expect(() => compileIpMatcher(['__proto__'], 'bypassIps')).to.throw(TypeError, 'bypassIps[0] "__proto__"');
  });

  it('rejects prefixes that are not plain numbers', () => {
    for (const bad of ['10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8.5', '10.0.0.0/0x8', '::/1000', '10.0.0.0/8/8']) {
      expect(() => compileIpMatcher([bad], 'bypassIps'), bad).to.throw(TypeError);
    }
  });
});

describe('address normal form', () => {
  it('writes IPv4-mapped IPv6 in any spelling as plain IPv4, and leaves every other address as it is', () => {
    const table: [string, string][] = [
      ['::ffff:1.2.3.4', '1.2.3.4'],
      ['::FFFF:1.2.3.4', '1.2.3.4'],
      ['::ffff:102:304', '1.2.3.4'],
      ['0:0:0:0:0:ffff:1.2.3.4', '1.2.3.4'],
      ['1.2.3.4', '1.2.3.4'],
      ['2001:db8::ffff:1', '2001:db8::ffff:1'],
      ['::1', '::1'],
    ];
    for (const [address, plain] of table) expect(unmapIPv4(address), address).to.equal(plain);
  });

  it('drops the zone id of link-local IPv6 only; anywhere else it makes no address', () => {
    const table: [string, string | undefined][] = [
      ['fe80::1%eth0', 'fe80::1'],
      ['FEBF::1%2', 'FEBF::1'],
      ['fe80::1', 'fe80::1'],
      ['fec0::1%eth0', undefined],
      ['fe8::1%eth0', undefined],
      ['::1%lo', undefined],
      ['127.0.0.1%eth0', undefined],
      ['::ffff:10.0.0.5%x', undefined],
    ];
    for (const [address, bare] of table) expect(withoutZone(address), address).to.equal(bare);
  });
});
