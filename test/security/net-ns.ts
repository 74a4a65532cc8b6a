/*
 * A network namespace joined to this host by a veth pair, so a test can be a client from another
 * address. Addresses come from documentation ranges (203.0.113.0/24 and 2001:db8::/32; never
 * 192.0.2.0/24, which some test machines use for their real network): each test file gets its own
 * /30 and /64, derived from the process id and a per-file tag, so files running at once do not
 * collide. Before creating anything the plan checks `ip addr` and `ip route` and refuses (the test
 * is skipped, with the reason) when any address or route other than the default one overlaps.
 * Namespace and interface names include the pid for the same reason.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { parseCidr, cidrContains } from '../../src/security/cidr';

export interface NetNsPlan {
  /** why the namespace cannot be used here, or null */
  skip: string | null;
  ns: string;
  hostIf: string;
  nsIf: string;
  hostIp: string;
  nsIp: string;
  hostIp6: string;
  nsIp6: string;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe', encoding: 'latin1' });

/** Every prefix the machine already uses (addresses and routes), default routes excepted. */
function prefixesInUse(): string[] {
  const out: string[] = [];
  for (const fam of ['-4', '-6']) {
    for (const line of ip(fam, '-o', 'addr', 'show').split('\n')) {
      const m = /\sinet6?\s+(\S+)/.exec(line);
      if (m) out.push(m[1]);
    }
    for (const line of ip(fam, 'route', 'show', 'table', 'all').split('\n')) {
      let first = line.trim().split(/\s+/)[0];
      if (['local', 'broadcast', 'unicast', 'multicast', 'anycast'].includes(first)) first = line.trim().split(/\s+/)[1];
      if (first && first !== 'default') out.push(first);
    }
  }
  return out;
}

function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (x === null || y === null || x.family !== y.family) return false;
  const shorter = x.prefix <= y.prefix ? x : y;
  const longer = shorter === x ? y : x;
  return cidrContains(shorter, { family: longer.family, value: longer.net });
}

export function planNetNs(tag: number): NetNsPlan {
  const pid = process.pid;
  const slot = (pid * 7 + tag * 13) % 63;
  const base = 4 * slot;
  const six = `2001:db8:${(pid % 65536).toString(16)}:${tag.toString(16)}`;
  const plan: NetNsPlan = {
    skip: null,
    ns: `rdt${pid}t${tag}`,
    hostIf: `vh${pid % 1000000}t${tag}`,
    nsIf: `vn${pid % 1000000}t${tag}`,
    hostIp: `203.0.113.${base + 1}`,
    nsIp: `203.0.113.${base + 2}`,
    hostIp6: `${six}::1`,
    nsIp6: `${six}::2`,
  };
  if (process.getuid?.() !== 0) plan.skip = 'needs root to create a network namespace';
  else if (spawnSync('ip', ['netns', 'list']).status !== 0) plan.skip = 'iproute2 (ip netns) is not available';
  else if (spawnSync('redis-cli', ['--version']).status !== 0) plan.skip = 'redis-cli is not installed';
  else {
    const mine = [`203.0.113.${base}/30`, `${six}::/64`];
    const clash = prefixesInUse().find((p) => mine.some((m) => overlaps(m, p)));
    if (clash !== undefined) plan.skip = `the test range ${mine.join(' / ')} is already in use on this machine (${clash})`;
  }
  return plan;
}

export function createNetNs(p: NetNsPlan): void {
  ip('netns', 'add', p.ns);
  ip('link', 'add', p.hostIf, 'type', 'veth', 'peer', 'name', p.nsIf);
  ip('link', 'set', p.nsIf, 'netns', p.ns);
  ip('addr', 'add', `${p.hostIp}/30`, 'dev', p.hostIf);
  ip('-6', 'addr', 'add', `${p.hostIp6}/64`, 'dev', p.hostIf, 'nodad');
  ip('link', 'set', p.hostIf, 'up');
  ip('netns', 'exec', p.ns, 'ip', 'addr', 'add', `${p.nsIp}/30`, 'dev', p.nsIf);
  ip('netns', 'exec', p.ns, 'ip', '-6', 'addr', 'add', `${p.nsIp6}/64`, 'dev', p.nsIf, 'nodad');
  ip('netns', 'exec', p.ns, 'ip', 'link', 'set', p.nsIf, 'up');
  ip('netns', 'exec', p.ns, 'ip', 'link', 'set', 'lo', 'up');
}

export function destroyNetNs(p: NetNsPlan): void {
  try { ip('link', 'del', p.hostIf); } catch { /* gone with the namespace */ }
  try { ip('netns', 'del', p.ns); } catch { /* never created */ }
}

/** redis-cli run inside the namespace against `host`: the server sees a non-loopback peer. */
export function remoteCli(p: NetNsPlan, host: string, port: number, ...args: string[]): string {
  const r = spawnSync('ip', ['netns', 'exec', p.ns, 'redis-cli', '-h', host, '-p', String(port), ...args], { encoding: 'latin1', timeout: 5000 });
  return ((r.stdout ?? '') + (r.stderr ?? '')).trim();
}

/** redis-cli from this host over loopback. */
export function localCli(port: number, ...args: string[]): string {
  const r = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'latin1', timeout: 5000 });
  return ((r.stdout ?? '') + (r.stderr ?? '')).trim();
}
