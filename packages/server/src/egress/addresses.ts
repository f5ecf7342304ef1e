// Pure IP parsing and classification for the egress guard: no I/O, no Node imports, so it can be
// property-tested on its own. Addresses are handled as their network-order bytes (4 or 16).

/** A network: the first `prefix` bits of `bytes` must match. */
export interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

const IPV4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

/** Strict dotted-decimal IPv4 (no leading zeros, which some resolvers read as octal). */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => IPV4_PART.test(part))) return undefined;
  return Uint8Array.from(parts, Number);
}

/** IPv6 in any RFC 4291 text form, including `::` and a trailing dotted IPv4; no zone. */
export function parseIPv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groupsOf(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    bytes[index * 2] = group >> 8;
    bytes[index * 2 + 1] = group & 0xff;
  });
  return bytes;
}

/** The 16-bit groups of one side of `::`; a dotted IPv4 may end the last side. */
function groupsOf(text: string, mayEndWithIPv4: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (mayEndWithIPv4 && index === parts.length - 1 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (!v4) return undefined;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (HEX_GROUP.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/** Either family; accepts `[…]` brackets and drops an IPv6 zone (`%eth0`). */
export function parseIp(text: string): Uint8Array | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (bare.includes(':')) {
    const zone = bare.indexOf('%');
    return parseIPv6(zone === -1 ? bare : bare.slice(0, zone));
  }
  return parseIPv4(bare);
}

/** `10.0.0.0/8`, `fc00::/7`, or a single address (a /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const bytes = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!bytes) return undefined;
  const bits = bytes.length * 8;
  if (slash === -1) return { bytes, prefix: bits };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= bits ? { bytes, prefix } : undefined;
}

export function isInCidr(address: Uint8Array, cidr: Cidr): boolean {
  if (address.length !== cidr.bytes.length) return false;
  const whole = cidr.prefix >> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== cidr.bytes[i]) return false;
  const rest = cidr.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (address[whole]! & mask) === (cidr.bytes[whole]! & mask);
}

export function formatIPv4(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4)).join('.');
}

function table(rows: Array<[string, string]>): Array<{ cidr: Cidr; reason: string }> {
  return rows.map(([text, reason]) => ({ cidr: parseCidr(text)!, reason }));
}

// Order matters: the first match names the reason, so narrow ranges come before wide ones.
const IPV4_BLOCKED = table([
  ['169.254.169.254/32', 'cloud metadata address'],
  ['100.100.100.200/32', 'cloud metadata address'],
  ['255.255.255.255/32', 'broadcast address'],
  ['0.0.0.0/8', 'unspecified ("this network") address'],
  ['10.0.0.0/8', 'private address'],
  ['100.64.0.0/10', 'shared (CGNAT) address'],
  ['127.0.0.0/8', 'loopback address'],
  ['169.254.0.0/16', 'link-local address'],
  ['172.16.0.0/12', 'private address'],
  // IETF protocol assignments; also where Oracle Cloud serves metadata (192.0.0.192).
  ['192.0.0.0/24', 'reserved address'],
  ['192.0.2.0/24', 'documentation address'],
  ['192.88.99.0/24', 'reserved (6to4 relay) address'],
  ['192.168.0.0/16', 'private address'],
  ['198.18.0.0/15', 'reserved (benchmarking) address'],
  ['198.51.100.0/24', 'documentation address'],
  ['203.0.113.0/24', 'documentation address'],
  ['224.0.0.0/4', 'multicast address'],
  ['240.0.0.0/4', 'reserved address'],
]);

const IPV6_BLOCKED = table([
  ['fd00:ec2::254/128', 'cloud metadata address'],
  ['::/128', 'unspecified address'],
  ['::1/128', 'loopback address'],
  ['100::/64', 'reserved (discard-only) address'],
  ['64:ff9b:1::/48', 'reserved (local-use NAT64) address'],
  // IETF protocol assignments, Teredo (2001::/32) among them: it tunnels to an embedded address.
  ['2001::/23', 'reserved address'],
  ['2001:db8::/32', 'documentation address'],
  ['3fff::/20', 'documentation address'],
  ['fc00::/7', 'private (unique-local) address'],
  ['fe80::/10', 'link-local address'],
  ['fec0::/10', 'private (site-local) address'],
  ['ff00::/8', 'multicast address'],
]);

// IPv6 forms that carry an IPv4 address the packets really go to (or come from).
const IPV6_EMBEDDING: Array<{ cidr: Cidr; kind: string; offset: number }> = [
  { cidr: parseCidr('::ffff:0:0/96')!, kind: 'IPv4-mapped', offset: 12 },
  { cidr: parseCidr('::ffff:0:0:0/96')!, kind: 'IPv4-translated', offset: 12 },
  { cidr: parseCidr('::/96')!, kind: 'IPv4-compatible', offset: 12 },
  { cidr: parseCidr('64:ff9b::/96')!, kind: 'NAT64', offset: 12 },
  { cidr: parseCidr('2002::/16')!, kind: '6to4', offset: 2 },
];

const GLOBAL_UNICAST = parseCidr('2000::/3')!;

/**
 * Why the server must not connect to this address on its own (loopback, private, link-local,
 * metadata, reserved…), or `undefined` for a public address. Text that is not an IP address is
 * refused too.
 */
export function blockedReason(address: string): string | undefined {
  const bytes = parseIp(address);
  if (!bytes) return 'not an IP address';
  return bytes.length === 4 ? ipv4Reason(bytes) : ipv6Reason(bytes);
}

function ipv4Reason(bytes: Uint8Array): string | undefined {
  return IPV4_BLOCKED.find((range) => isInCidr(bytes, range.cidr))?.reason;
}

function ipv6Reason(bytes: Uint8Array): string | undefined {
  const range = IPV6_BLOCKED.find((candidate) => isInCidr(bytes, candidate.cidr));
  if (range) return range.reason;
  const embedding = IPV6_EMBEDDING.find((candidate) => isInCidr(bytes, candidate.cidr));
  if (embedding) {
    const v4 = bytes.subarray(embedding.offset, embedding.offset + 4);
    const inner = ipv4Reason(v4);
    return inner && `${inner} ${formatIPv4(v4)} inside IPv6 (${embedding.kind})`;
  }
  return isInCidr(bytes, GLOBAL_UNICAST) ? undefined : 'reserved (not global unicast) address';
}

/** The IPv4 address an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) stands for, if it is one. */
export function unmapIPv4(bytes: Uint8Array): Uint8Array | undefined {
  return bytes.length === 16 && isInCidr(bytes, IPV6_EMBEDDING[0]!.cidr)
    ? bytes.slice(12, 16)
    : undefined;
}
