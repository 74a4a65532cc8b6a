/*
 * Small readers over Facts shared by the checks: a configuration value, the listening addresses
 * that reach beyond the host, the default user. Pure functions, no I/O.
 */

import type { Facts, UserFact } from './types';

export function conf(f: Facts, name: string): string | undefined {
  return f.config?.[name];
}

export function isLoopback(addr: string): boolean {
  const a = addr.replace(/^-/, '').toLowerCase();
  return /^127\./.test(a) || a === '::1' || a === 'localhost' || a === '::ffff:127.0.0.1';
}

export function isWildcard(addr: string): boolean {
  return ['*', '0.0.0.0', '::', '::*'].includes(addr.replace(/^-/, ''));
}

/** bind addresses (or null when the configuration is unknown). */
export function bindAddrs(f: Facts): string[] | null {
  const b = conf(f, 'bind');
  if (b === undefined) return null;
  return b.split(' ').filter((x) => x !== '');
}

/** Addresses that let other hosts connect (an empty bind means every interface, as in Redis). */
export function exposedAddrs(f: Facts): string[] | null {
  const b = bindAddrs(f);
  if (b === null) return null;
  if (b.length === 0) return ['*'];
  return b.filter((a) => !isLoopback(a));
}

export function tcpPorts(f: Facts): { port: number; tlsPort: number } {
  return { port: Number(conf(f, 'port') ?? 0), tlsPort: Number(conf(f, 'tls-port') ?? 0) };
}

export function defaultUser(f: Facts): UserFact | null {
  if (f.users !== null) return f.users.find((u) => u.name === 'default') ?? null;
  // without ACL LIST, requirepass is the only clue (Redis shows it in CONFIG GET)
  const rp = conf(f, 'requirepass');
  if (rp === undefined) return null;
  return { name: 'default', enabled: true, nopass: rp === '', hashes: [], rules: '', allowed: null };
}

export function allowedList(u: UserFact, labels: string[]): string[] {
  if (u.allowed === null) return [];
  return labels.filter((l) => u.allowed![l] === true);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
