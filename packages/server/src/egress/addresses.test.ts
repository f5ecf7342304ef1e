import { BlockList, isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { blockedReason, isInCidr, parseCidr, parseIp, unmapIPv4 } from './addresses';

// The ranges the product spec names, written out here independently of the implementation's table.
const BLOCKED_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
];
const BLOCKED_V6 = [
  '::/128',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
  '2001:db8::/32',
  '100::/64',
  '64:ff9b:1::/48',
];

const blockList = new BlockList();
for (const cidr of BLOCKED_V4) {
  const [network, prefix] = cidr.split('/');
  blockList.addSubnet(network!, Number(prefix), 'ipv4');
}

const byte = fc.integer({ min: 0, max: 255 });
const v4Bytes = fc.array(byte, { minLength: 4, maxLength: 4 });
const v6Bytes = fc.array(byte, { minLength: 16, maxLength: 16 });

const dotted = (bytes: number[]) => bytes.join('.');
const hex = (high: number, low: number) => ((high << 8) | low).toString(16);
/** Uncompressed IPv6 text, eight groups. */
const fullV6 = (bytes: number[]) =>
  Array.from({ length: 8 }, (_, i) => hex(bytes[i * 2]!, bytes[i * 2 + 1]!)).join(':');
/** The WHATWG URL parser's canonical (compressed) text, an independent formatter. */
const canonicalV6 = (text: string) => new URL(`http://[${text}]/`).hostname.slice(1, -1);

/** Random bytes forced into `cidr`: its first `prefix` bits, random ones after. */
function inside(cidr: string, random: number[]): string {
  const { bytes, prefix } = parseCidr(cidr)!;
  const out = random.slice(0, bytes.length).map((value, i) => {
    const fixedBits = Math.min(8, Math.max(0, prefix - i * 8));
    const mask = (0xff << (8 - fixedBits)) & 0xff;
    return (bytes[i]! & mask) | (value & ~mask & 0xff);
  });
  return bytes.length === 4 ? dotted(out) : fullV6(out);
}

describe('parseIp', () => {
  it('reads every IPv6 address back from its full and its compressed text', () => {
    fc.assert(
      fc.property(v6Bytes, (bytes) => {
        expect(Array.from(parseIp(fullV6(bytes))!)).toEqual(bytes);
        expect(Array.from(parseIp(canonicalV6(fullV6(bytes)))!)).toEqual(bytes);
      }),
    );
  });

  it('accepts exactly the strings Node accepts as IP addresses', () => {
    const token = fc.constantFrom(
      '0',
      '1',
      '7f',
      'ffff',
      '12345',
      'g',
      '::',
      ':',
      '.',
      '1.2.3.4',
      '256.1.1.1',
      '01.2.3.4',
      '255',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 12 }), (tokens) => {
        const text = tokens.join('');
        expect(parseIp(text) !== undefined, text).toBe(isIP(text) !== 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses leading zeros, which some resolvers read as octal', () => {
    expect(parseIp('0127.0.0.1')).toBeUndefined();
    expect(parseIp('127.000.0.1')).toBeUndefined();
  });
});

describe('parseCidr and isInCidr', () => {
  it('agree with net.BlockList on random networks of either family', () => {
    fc.assert(
      fc.property(v4Bytes, v4Bytes, fc.integer({ min: 0, max: 32 }), (net, address, prefix) => {
        const list = new BlockList();
        list.addSubnet(dotted(net), prefix, 'ipv4');
        const cidr = parseCidr(`${dotted(net)}/${prefix}`)!;
        expect(isInCidr(parseIp(dotted(address))!, cidr)).toBe(list.check(dotted(address), 'ipv4'));
      }),
    );
    fc.assert(
      fc.property(v6Bytes, v6Bytes, fc.integer({ min: 0, max: 128 }), (net, address, prefix) => {
        const list = new BlockList();
        list.addSubnet(fullV6(net), prefix, 'ipv6');
        const cidr = parseCidr(`${fullV6(net)}/${prefix}`)!;
        expect(isInCidr(parseIp(fullV6(address))!, cidr)).toBe(list.check(fullV6(address), 'ipv6'));
      }),
    );
  });

  it('refuses prefixes longer than the address and text that is no network', () => {
    for (const text of [
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/',
      '10.0.0.0/-1',
      'example.com/8',
      '/8',
    ]) {
      expect(parseCidr(text), text).toBeUndefined();
    }
    expect(parseCidr('10.1.2.3')).toMatchObject({ prefix: 32 });
    expect(parseCidr('[::1]')).toMatchObject({ prefix: 128 });
  });
});

describe('blockedReason', () => {
  it('refuses every address inside a blocked range', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BLOCKED_V4, ...BLOCKED_V6), v6Bytes, (cidr, random) => {
        const address = inside(cidr, random);
        expect(blockedReason(address), address).toBeDefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses exactly the IPv4 addresses in the blocked ranges', () => {
    fc.assert(
      fc.property(v4Bytes, (bytes) => {
        const address = dotted(bytes);
        expect(blockedReason(address) !== undefined, address).toBe(blockList.check(address));
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses blocked IPv4 addresses wrapped in mapped, compatible, NAT64 and 6to4 IPv6', () => {
    const blockedV4 = fc
      .tuple(fc.constantFrom(...BLOCKED_V4), v4Bytes)
      .map(([cidr, random]) => inside(cidr, random).split('.').map(Number));
    fc.assert(
      fc.property(blockedV4, (v4) => {
        const [a, b, c, d] = v4 as [number, number, number, number];
        for (const wrapped of [
          `::ffff:${dotted(v4)}`,
          `::ffff:${hex(a, b)}:${hex(c, d)}`,
          `::ffff:0:${dotted(v4)}`,
          `64:ff9b::${dotted(v4)}`,
          `2002:${hex(a, b)}:${hex(c, d)}::1`,
        ]) {
          expect(blockedReason(wrapped), wrapped).toBeDefined();
        }
      }),
    );
  });

  it('lets public addresses through, also when wrapped', () => {
    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '93.184.216.34',
      '151.101.1.69',
      '2606:4700:4700::1111',
      '2001:4860:4860::8888',
      '2a00:1450:4001:80b::200e',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
      '2002:808:808::1',
    ]) {
      expect(blockedReason(address), address).toBeUndefined();
    }
  });

  it('names why an address is refused', () => {
    expect(blockedReason('127.0.0.1')).toBe('loopback address');
    expect(blockedReason('10.0.0.5')).toBe('private address');
    expect(blockedReason('169.254.169.254')).toBe('cloud metadata address');
    expect(blockedReason('fd00:ec2::254')).toBe('cloud metadata address');
    expect(blockedReason('::ffff:127.0.0.1')).toBe(
      'loopback address 127.0.0.1 inside IPv6 (IPv4-mapped)',
    );
    expect(blockedReason('fe80::1%eth0')).toBe('link-local address');
    expect(blockedReason('4000::1')).toMatch(/reserved/);
    expect(blockedReason('localhost')).toBe('not an IP address');
  });
});

describe('unmapIPv4', () => {
  it('finds the IPv4 address inside an IPv4-mapped IPv6 address only', () => {
    expect(Array.from(unmapIPv4(parseIp('::ffff:10.0.0.1')!)!)).toEqual([10, 0, 0, 1]);
    expect(unmapIPv4(parseIp('64:ff9b::a00:1')!)).toBeUndefined();
    expect(unmapIPv4(parseIp('10.0.0.1')!)).toBeUndefined();
  });
});
