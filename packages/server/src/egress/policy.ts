import { DomainError } from '@quorum/core';
import { blockedReason, isInCidr, parseCidr, parseIp, unmapIPv4, type Cidr } from './addresses';

// Names that reach a cloud provider's instance metadata service from inside the instance.
const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.platformequinix.com',
]);

const HOSTNAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/** What QUORUM_EGRESS_ALLOW lets through, and why anything else is refused. */
export interface EgressPolicy {
  /** Listed by name: every address it resolves to is let through. */
  isHostAllowed(hostname: string): boolean;
  /** Why a request to this host name is refused before any lookup, or `undefined`. */
  refuseHost(hostname: string): string | undefined;
  /** Why connecting to this address is refused, or `undefined`. */
  refuseAddress(address: string): string | undefined;
}

/**
 * Lower-case, without IPv6 brackets and trailing dots, so `METADATA.google.internal.` and
 * `metadata.google.internal` are one host.
 */
export function normalizeHostname(hostname: string): string {
  const bare =
    hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return bare.toLowerCase().replace(/\.+$/, '');
}

/**
 * Reads the allow entries: host names (matched exactly, any case) or CIDRs and single addresses
 * of either family. Throws `invalid` naming the first entry it cannot read.
 */
export function createEgressPolicy(entries: string[]): EgressPolicy {
  const hosts = new Set<string>();
  const networks: Cidr[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const network = parseCidr(entry);
    if (network) networks.push(network);
    else if (entry.includes('/'))
      throw allowEntryError(entry, 'is not a valid CIDR (address/prefix)');
    else if (HOSTNAME.test(normalizeHostname(entry))) hosts.add(normalizeHostname(entry));
    else throw allowEntryError(entry, 'is neither a host name nor a CIDR');
  }

  const isAddressAllowed = (address: string): boolean => {
    const bytes = parseIp(address);
    if (!bytes) return false;
    // `::ffff:10.0.0.1` is 10.0.0.1 on the wire, so an IPv4 entry covers it too.
    const unmapped = unmapIPv4(bytes);
    return networks.some(
      (network) =>
        isInCidr(bytes, network) || (unmapped !== undefined && isInCidr(unmapped, network)),
    );
  };

  return {
    isHostAllowed: (hostname) => hosts.has(normalizeHostname(hostname)),
    refuseHost(hostname) {
      const name = normalizeHostname(hostname);
      return METADATA_HOSTS.has(name) && !hosts.has(name) ? 'cloud metadata host' : undefined;
    },
    refuseAddress(address) {
      const reason = blockedReason(address);
      return reason !== undefined && !isAddressAllowed(address) ? reason : undefined;
    },
  };
}

function allowEntryError(entry: string, problem: string): DomainError {
  return new DomainError(
    'invalid',
    `QUORUM_EGRESS_ALLOW: ${JSON.stringify(entry)} ${problem}`,
    'QUORUM_EGRESS_ALLOW',
  );
}
