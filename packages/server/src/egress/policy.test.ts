import { describe, expect, it } from 'vitest';
import { DomainError } from '@quorum/core';
import { createEgressPolicy, normalizeHostname } from './policy';

describe('createEgressPolicy', () => {
  it('allows listed host names in any case and with a trailing dot', () => {
    const policy = createEgressPolicy(['Hooks.Internal.Example', ' localhost ']);
    expect(policy.isHostAllowed('hooks.internal.example')).toBe(true);
    expect(policy.isHostAllowed('HOOKS.internal.example.')).toBe(true);
    expect(policy.isHostAllowed('localhost')).toBe(true);
    expect(policy.isHostAllowed('sub.hooks.internal.example')).toBe(false);
  });

  it('lets blocked addresses through only when a listed CIDR or address covers them', () => {
    const policy = createEgressPolicy(['10.0.0.0/8', '127.0.0.1', '[fd00::1]', 'fe80::/10']);
    expect(policy.refuseAddress('10.200.3.4')).toBeUndefined();
    expect(policy.refuseAddress('127.0.0.1')).toBeUndefined();
    expect(policy.refuseAddress('127.0.0.2')).toBe('loopback address');
    expect(policy.refuseAddress('fd00::1')).toBeUndefined();
    expect(policy.refuseAddress('fd00::2')).toMatch(/unique-local/);
    expect(policy.refuseAddress('fe80::1234')).toBeUndefined();
    expect(policy.refuseAddress('192.168.0.1')).toBe('private address');
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 address it stands for', () => {
    const policy = createEgressPolicy(['127.0.0.1/32']);
    expect(policy.refuseAddress('::ffff:127.0.0.1')).toBeUndefined();
    expect(policy.refuseAddress('::ffff:127.0.0.2')).toMatch(/loopback/);
    // NAT64 and 6to4 lead elsewhere on the wire, so an IPv4 entry does not cover them.
    expect(policy.refuseAddress('64:ff9b::7f00:1')).toMatch(/loopback/);
  });

  it('refuses metadata host names unless they are listed', () => {
    const policy = createEgressPolicy([]);
    for (const host of [
      'metadata.google.internal',
      'METADATA.GOOGLE.INTERNAL.',
      'metadata',
      'instance-data',
    ]) {
      expect(policy.refuseHost(host), host).toBe('cloud metadata host');
    }
    expect(policy.refuseHost('example.com')).toBeUndefined();
    expect(createEgressPolicy(['metadata']).refuseHost('metadata')).toBeUndefined();
  });

  it('rejects entries that are neither host names nor CIDRs, naming the entry', () => {
    for (const entry of [
      '10.0.0.0/33',
      'example.com/8',
      'http://example.com',
      'host:8080',
      'a b',
    ]) {
      let caught: unknown;
      try {
        createEgressPolicy([entry]);
      } catch (error) {
        caught = error;
      }
      expect(caught, entry).toBeInstanceOf(DomainError);
      expect((caught as DomainError).code).toBe('invalid');
      expect((caught as DomainError).message).toContain(JSON.stringify(entry));
    }
    expect(() => createEgressPolicy(['', '  '])).not.toThrow();
  });
});

describe('normalizeHostname', () => {
  it('drops brackets, case and trailing dots', () => {
    expect(normalizeHostname('[::1]')).toBe('::1');
    expect(normalizeHostname('Metadata.Google.Internal..')).toBe('metadata.google.internal');
  });
});
