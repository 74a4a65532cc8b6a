/*
 * replicaof-allowed-primaries: the primaries this server may follow (Redoubt; Redis has no such
 * setting). The rogue-primary attack makes a server a replica of an attacker's host, which then
 * replaces the whole dataset (and, against Redis, loads a module); listing the legitimate primaries
 * turns REPLICAOF/SLAVEOF (and FAILOVER, a configured `replicaof`) to any other host into a refusal.
 *
 * Entries: `host:port` (a name or an address; IPv6 in brackets, `[::1]:6379`), or an address block
 * with an optional port (`10.0.0.0/8`, `10.1.2.3`, `10.0.0.0/8:6379`, `[fd00::/8]:6380`). A name
 * matches the same name (case-insensitive) only: names are not resolved here, so an address
 * entry never lets a name through and a DNS change cannot widen the list. An empty list allows
 * any primary (Redis's behaviour).
 */

import { parseCidr, parseIp, cidrContains, type Cidr } from './cidr';

export interface PrimaryEntry {
  /** an address block, or null for a host name */
  cidr: Cidr | null;
  /** lower-case host name when cidr is null */
  name: string | null;
  /** 0 = any port */
  port: number;
  /** canonical text (CONFIG GET, rewrite) */
  text: string;
}

function splitPort(s: string): { host: string; port: string | null } | null {
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return null;
    const rest = s.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return null;
    return { host: s.slice(1, close), port: rest === '' ? null : rest.slice(1) };
  }
  const colon = s.lastIndexOf(':');
  // more than one colon without brackets: an IPv6 address (block) with no port
  if (colon < 0 || s.indexOf(':') !== colon) return { host: s, port: null };
  return { host: s.slice(0, colon), port: s.slice(colon + 1) };
}

/** One entry, or null when malformed. */
export function parsePrimaryEntry(word: string): PrimaryEntry | null {
  const parts = splitPort(word);
  if (parts === null || parts.host === '') return null;
  let port = 0;
  if (parts.port !== null) {
    if (!/^[1-9][0-9]{0,4}$/.test(parts.port) || Number(parts.port) > 65535) return null;
    port = Number(parts.port);
  }
  const cidr = parseCidr(parts.host);
  if (cidr !== null) {
    const hostText = cidr.prefix === (cidr.family === 4 ? 32 : 128) ? cidr.text.slice(0, cidr.text.indexOf('/')) : cidr.text;
    const shown = cidr.family === 6 && port !== 0 ? `[${hostText}]` : hostText;
    return { cidr, name: null, port, text: port === 0 ? shown : `${shown}:${port}` };
  }
  // a host name: letters, digits, '-', '.', '_' (no wildcard, no slash)
  if (!/^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})$/.test(parts.host)) return null;
  const name = parts.host.toLowerCase();
  return { cidr: null, name, port, text: port === 0 ? name : `${name}:${port}` };
}

/** True when `host:port` (as given to REPLICAOF) is allowed by `list` (empty = any). */
export function primaryAllowed(list: readonly PrimaryEntry[], host: string, port: number): boolean {
  if (list.length === 0) return true;
  const ip = parseIp(host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
  const name = host.toLowerCase();
  for (const e of list) {
    if (e.port !== 0 && e.port !== port) continue;
    if (e.cidr !== null ? ip !== null && cidrContains(e.cidr, ip) : ip === null && e.name === name) return true;
  }
  return false;
}
