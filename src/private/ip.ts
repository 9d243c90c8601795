/* eslint-disable no-bitwise -- address and mask arithmetic is the point of this module */
/**
 * IPv4/IPv6 address and CIDR arithmetic used by synth-time validation. Not exported from the package.
 *
 * Every function here takes resolved strings; callers guard with `Token.isUnresolved` first.
 */

/** A parsed IPv4 CIDR block. */
export interface Ipv4Cidr {
  readonly network: number;
  readonly prefix: number;
  /** Number of addresses in the block. */
  readonly size: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted-quad IPv4 address into an unsigned 32-bit integer, or undefined when malformed. */
export function parseIpv4(address: string): number | undefined {
  const m = IPV4.exec(address);
  if (!m) {
    return undefined;
  }
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) {
    return undefined;
  }
  return (((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3]) >>> 0;
}

/** Formats an unsigned 32-bit integer as a dotted-quad IPv4 address. */
export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** Parses `a.b.c.d/n`; returns undefined when malformed. The network is masked to the prefix. */
export function parseIpv4Cidr(cidr: string): Ipv4Cidr | undefined {
  const [addr, prefixText, ...rest] = cidr.split('/');
  if (rest.length > 0 || prefixText === undefined || !/^\d{1,2}$/.test(prefixText)) {
    return undefined;
  }
  const prefix = Number(prefixText);
  const ip = parseIpv4(addr);
  if (ip === undefined || prefix > 32) {
    return undefined;
  }
  const size = 2 ** (32 - prefix);
  const network = prefix === 0 ? 0 : ((ip >>> (32 - prefix)) << (32 - prefix)) >>> 0;
  return { network, prefix, size };
}

/** True when the address lies inside the CIDR block. */
export function ipv4InCidr(address: string, cidr: string): boolean {
  const ip = parseIpv4(address);
  const block = parseIpv4Cidr(cidr);
  return ip !== undefined && block !== undefined && ip >= block.network && ip < block.network + block.size;
}

/**
 * True when AWS reserves the address in a subnet: the first four and the last address of every
 * subnet CIDR (https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html).
 */
export function ipv4ReservedInSubnet(address: string, subnetCidr: string): boolean {
  const ip = parseIpv4(address);
  const block = parseIpv4Cidr(subnetCidr);
  if (ip === undefined || block === undefined) {
    return false;
  }
  const offset = ip - block.network;
  return offset < 4 || offset === block.size - 1;
}

/** True when two IPv4 CIDR blocks share at least one address. */
export function ipv4CidrsOverlap(a: string, b: string): boolean {
  const x = parseIpv4Cidr(a);
  const y = parseIpv4Cidr(b);
  if (!x || !y) {
    return false;
  }
  return x.network < y.network + y.size && y.network < x.network + x.size;
}

/** True when the CIDR block is the whole IPv4 or IPv6 address space (0.0.0.0/0 or ::/0). */
export function isAnyAddress(cidr: string): boolean {
  const c = cidr.trim().toLowerCase();
  return c === '0.0.0.0/0' || c === '::/0' || c === '0:0:0:0:0:0:0:0/0';
}

/**
 * Expands an IPv6 address to its 8 groups (as numbers), or undefined when malformed.
 * Supports `::` compression; embedded IPv4 tails are not accepted (ENIs never need them).
 */
export function parseIpv6(address: string): number[] | undefined {
  const text = address.toLowerCase();
  if (!/^[0-9a-f:]+$/.test(text) || text.split('::').length > 2) {
    return undefined;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  if ((tail === undefined && missing !== 0) || (tail !== undefined && missing < 1)) {
    return undefined;
  }
  const groups = [...headGroups, ...Array(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) {
    return undefined;
  }
  return groups.map((g) => parseInt(g, 16));
}

/** True when the IPv6 address lies inside the IPv6 CIDR block. */
export function ipv6InCidr(address: string, cidr: string): boolean {
  const [net, prefixText] = cidr.split('/');
  const prefix = Number(prefixText);
  const a = parseIpv6(address);
  const n = parseIpv6(net);
  if (!a || !n || !Number.isInteger(prefix) || prefix < 0 || prefix > 128) {
    return false;
  }
  let bits = prefix;
  for (let i = 0; i < 8 && bits > 0; i++) {
    const take = Math.min(16, bits);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if ((a[i] & mask) !== (n[i] & mask)) {
      return false;
    }
    bits -= take;
  }
  return true;
}

/** Canonical (fully expanded, lower-case) form of an IPv6 address, for duplicate detection. */
export function canonicalIpv6(address: string): string {
  const groups = parseIpv6(address);
  return groups ? groups.map((g) => g.toString(16)).join(':') : address.toLowerCase();
}
