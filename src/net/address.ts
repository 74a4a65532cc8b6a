/*
 * Peer addresses as Redis shows and judges them.
 */

import { isLoopbackIp, parseIp } from '../security/cidr';

/** Redis's notion of a local peer (protected mode, enable-*-command local): 127.0.0.0/8 or ::1. */
export function isLoopback(ip: string | undefined): boolean {
  const parsed = ip === undefined ? null : parseIp(ip);
  return parsed !== null && isLoopbackIp(parsed);
}

/** "ip:port" with IPv4-mapped IPv6 addresses shown as plain IPv4, as Redis shows them. */
export function formatAddr(ip: string | undefined, port: number | undefined): string {
  let a = ip ?? '?';
  if (a.startsWith('::ffff:') && a.includes('.')) a = a.slice(7);
  return `${a}:${port ?? 0}`;
}
