/*
 * IP networks (CIDR blocks) for the trusted-networks allowlist and the ACL `from:` rule.
 *
 * Design: an address is a BigInt (32 bits for IPv4, 128 for IPv6) plus its family, so one masked
 * comparison decides membership. IPv4-mapped IPv6 (::ffff:a.b.c.d), which a dual-stack socket
 * reports for IPv4 peers, is folded to IPv4 on both sides — a peer and a block match whichever
 * spelling each uses. A block is stored canonically (host bits cleared, shortest spelling), and
 * that canonical text is what GETUSER, ACL LIST and CONFIG GET show, so a description reloads to
 * the same block.
 *
 * Invariants: parsing never throws (null on anything that is not a literal address, no hostnames:
 * a name would make admission depend on DNS); matching is O(number of blocks).
 */

import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  family: 4 | 6;
  /** network address with host bits cleared */
  net: bigint;
  prefix: number;
  /** canonical "addr/prefix" */
  text: string;
}

export interface IpAddr {
  family: 4 | 6;
  value: bigint;
}

function parseV4(s: string): bigint | null {
  if (!isIPv4(s)) return null;
  let v = 0n;
  for (const part of s.split('.')) v = (v << 8n) | BigInt(Number(part));
  return v;
}

function parseV6(s: string): bigint | null {
  if (!isIPv6(s) || s.includes('%')) return null;
  let body = s;
  // an embedded IPv4 tail (::ffff:1.2.3.4) is two groups written differently
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(body.slice(lastColon + 1));
    if (v4 === null) return null;
    body = `${body.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = body.split('::');
  const groups = (h: string) => (h === '' ? [] : h.split(':').map((g) => BigInt('0x' + g)));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (halves.length > 2 || head.length + rest.length > 8) return null;
  if (halves.length === 1 && head.length !== 8) return null;
  const all = [...head, ...new Array<bigint>(8 - head.length - rest.length).fill(0n), ...rest];
  let v = 0n;
  for (const g of all) v = (v << 16n) | g;
  return v;
}


/** A literal IP address, IPv4-mapped IPv6 folded to IPv4. */
export function parseIp(s: string): IpAddr | null {
  const v4 = parseV4(s);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseV6(s);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

function formatV4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 0xffn)).join('.');
}

function formatV6(v: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: the longest run (length >= 2) of zero groups becomes '::'
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** "a.b.c.d/n", "x:y::/n", or a bare address (a single host). Null if malformed. */
export function parseCidr(s: string): Cidr | null {
  const slash = s.indexOf('/');
  const addrText = slash < 0 ? s : s.slice(0, slash);
  let bits = 0;
  let family: 4 | 6;
  let value: bigint;
  const v4 = parseV4(addrText);
  if (v4 !== null) {
    family = 4;
    value = v4;
    bits = 32;
  } else {
    const v6 = parseV6(addrText);
    if (v6 === null) return null;
    family = 6;
    value = v6;
    bits = 128;
  }
  let prefix = bits;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > bits) return null;
    prefix = Number(p);
  }
  // ::ffff:0:0/96 and longer name IPv4 space: store them as IPv4 blocks
  if (family === 6 && prefix >= 96 && value >> 32n === 0xffffn) {
    family = 4;
    value &= 0xffffffffn;
    prefix -= 96;
    bits = 32;
  }
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  const net = value & mask;
  const text = `${family === 4 ? formatV4(net) : formatV6(net)}/${prefix}`;
  return { family, net, prefix, text };
}

export function cidrContains(c: Cidr, ip: IpAddr): boolean {
  if (c.family !== ip.family) return false;
  const bits = c.family === 4 ? 32 : 128;
  if (c.prefix === 0) return true;
  return ip.value >> BigInt(bits - c.prefix) === c.net >> BigInt(bits - c.prefix);
}

export function anyContains(list: readonly Cidr[], ip: IpAddr): boolean {
  for (const c of list) if (cidrContains(c, ip)) return true;
  return false;
}

/** True for 127.0.0.0/8 and ::1 (and their IPv4-mapped forms): Redis's notion of local. */
export function isLoopbackIp(ip: IpAddr): boolean {
  return ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n;
}
