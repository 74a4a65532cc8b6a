/*
 * Known vulnerabilities by product and version, for `redoubt audit`'s version check.
 * Source: ../shared/reference/redis-security-facts.md §2.2 (Redis release notes, CVE records, the
 * Valkey mapping). Each entry lists the first fixed release of every branch that got a fix.
 *
 * Matching rule (`affects`): a version is affected when it is at or above `from` and either its
 * own branch (major.minor) has a fix it is below, or its branch got no fix at all while a newer
 * branch did (an EOL branch: unpatched). A version newer than every fixed branch is not affected.
 * `when` narrows an entry to servers where a precondition holds (Lua present, a replica that
 * accepts writes, a 32-bit build); the check evaluates it against the collected facts.
 *
 * Redoubt's own entries: none known. Redoubt has no Lua, no modules and no streams, and its
 * INFO carries `redoubt_version`, so the Redis entries are never applied to it.
 */

export type CveWhen = 'lua' | 'replica-writable' | '32bit';

export interface CveEntry {
  id: string;
  product: 'redis' | 'valkey' | 'redoubt';
  from?: string;
  fixed: string[];
  preAuth?: boolean;
  severity: 'critical' | 'high' | 'medium' | 'low';
  what: string;
  when?: CveWhen;
}

const R = (id: string, fixed: string[], severity: CveEntry['severity'], what: string, extra: Partial<CveEntry> = {}): CveEntry =>
  ({ id, product: 'redis', fixed, severity, what, ...extra });
const V = (id: string, fixed: string[], severity: CveEntry['severity'], what: string, extra: Partial<CveEntry> = {}): CveEntry =>
  ({ id, product: 'valkey', fixed, severity, what, ...extra });

export const CVES: CveEntry[] = [
  R('CVE-2015-4335', ['2.8.21', '3.0.2'], 'critical', 'EVAL runs Lua bytecode: sandbox escape', { when: 'lua' }),
  R('CVE-2019-10192', ['3.2.13', '4.0.14', '5.0.4'], 'high', 'HyperLogLog heap overflow'),
  R('CVE-2021-21309', ['5.0.11', '6.0.11', '6.2.0'], 'high', 'proto-max-bulk-len overflow on 32-bit builds', { from: '4.0.0', when: '32bit' }),
  R('CVE-2021-29477', ['6.0.13', '6.2.3'], 'high', 'STRALGO LCS integer overflow', { from: '6.0.0' }),
  R('CVE-2021-32625', ['6.0.14', '6.2.4'], 'high', 'STRALGO LCS integer overflow (incomplete fix)', { from: '6.0.0' }),
  R('CVE-2021-32626', ['5.0.14', '6.0.16', '6.2.6'], 'high', 'Lua scripts can overflow the heap', { when: 'lua' }),
  R('CVE-2021-32627', ['5.0.14', '6.0.16', '6.2.6'], 'high', 'stream overflow with raised proto-max-bulk-len'),
  R('CVE-2021-32628', ['5.0.14', '6.0.16', '6.2.6'], 'high', 'ziplist overflow with large *-max-ziplist-* values'),
  R('CVE-2021-32675', ['5.0.14', '6.0.16', '6.2.6'], 'high', 'unauthenticated multibulk requests exhaust memory', { preAuth: true }),
  R('CVE-2021-32687', ['5.0.14', '6.0.16', '6.2.6'], 'high', 'intset overflow with large set-max-intset-entries'),
  R('CVE-2021-41099', ['5.0.14', '6.0.16', '6.2.6'], 'high', 'string overflow with huge proto-max-bulk-len'),
  R('CVE-2022-24735', ['6.2.7', '7.0.0'], 'high', 'Lua code injection runs with another user\'s privileges', { when: 'lua' }),
  R('CVE-2022-24736', ['6.2.7', '7.0.0'], 'medium', 'crafted Lua crashes the server', { when: 'lua' }),
  R('CVE-2022-31144', ['7.0.4'], 'high', 'XAUTOCLAIM heap overflow', { from: '7.0.0' }),
  R('CVE-2022-35951', ['7.0.5'], 'high', 'XAUTOCLAIM COUNT overflow', { from: '7.0.0' }),
  R('CVE-2022-35977', ['6.0.17', '6.2.9', '7.0.8'], 'medium', 'SETRANGE/SORT overflow: OOM panic'),
  R('CVE-2022-36021', ['6.0.18', '6.2.11', '7.0.9'], 'medium', 'glob patterns in KEYS/SCAN hang the server'),
  R('CVE-2023-22458', ['6.2.9', '7.0.8'], 'medium', 'HRANDFIELD/ZRANDMEMBER overflow DoS', { from: '6.2.0' }),
  R('CVE-2023-25155', ['6.0.18', '6.2.11', '7.0.9'], 'medium', 'SRANDMEMBER/ZRANDMEMBER/HRANDFIELD overflow assertion'),
  R('CVE-2023-28856', ['6.0.19', '6.2.12', '7.0.11'], 'medium', 'HINCRBYFLOAT creates an invalid field: crash'),
  R('CVE-2022-24834', ['6.0.20', '6.2.13', '7.0.12', '7.2.0'], 'critical', 'cjson/cmsgpack heap overflow: code execution', { when: 'lua' }),
  R('CVE-2023-36824', ['7.0.12', '7.2.0'], 'high', 'COMMAND GETKEYS / ACL key extraction heap overflow', { from: '7.0.0' }),
  R('CVE-2023-41053', ['7.0.13', '7.2.1'], 'medium', 'SORT_RO bypasses ACL key patterns', { from: '7.0.0' }),
  R('CVE-2023-45145', ['6.2.14', '7.0.14', '7.2.2'], 'medium', 'unixsocket listen/chmod race bypasses unixsocketperm'),
  R('CVE-2023-41056', ['7.0.15', '7.2.4'], 'high', 'buffer resize accounting: heap overflow', { from: '7.0.0' }),
  R('CVE-2024-31227', ['7.2.6', '7.4.1'], 'medium', 'malformed ACL selector: DoS', { from: '7.0.0' }),
  R('CVE-2024-31228', ['6.2.16', '7.2.6', '7.4.1'], 'medium', 'long glob patterns: unbounded recursion crash'),
  R('CVE-2024-31449', ['6.2.16', '7.2.6', '7.4.1'], 'critical', 'Lua bit library stack overflow: code execution', { when: 'lua' }),
  R('CVE-2024-46981', ['6.2.17', '7.2.7', '7.4.2'], 'critical', 'Lua GC use-after-free: code execution', { when: 'lua' }),
  R('CVE-2024-51741', ['7.2.7', '7.4.2'], 'medium', 'malformed ACL selector: panic', { from: '7.0.0' }),
  R('CVE-2025-21605', ['6.2.18', '7.2.8', '7.4.3', '8.0.0'], 'high', 'unauthenticated client grows the output buffer without bound', { preAuth: true }),
  R('CVE-2025-32023', ['6.2.19', '7.2.10', '7.4.5', '8.0.3'], 'critical', 'HyperLogLog out-of-bounds write: code execution', { from: '2.8.0' }),
  R('CVE-2025-48367', ['6.2.19', '7.2.10', '7.4.5', '8.0.3'], 'high', 'unauthenticated connections starve clients', { preAuth: true }),
  R('CVE-2025-49844', ['6.2.20', '7.2.11', '7.4.6', '8.0.4', '8.2.2'], 'critical', '"RediShell": Lua parser use-after-free, code execution (CVSS 10.0)', { when: 'lua' }),
  R('CVE-2025-46817', ['6.2.20', '7.2.11', '7.4.6', '8.0.4', '8.2.2'], 'critical', 'Lua unpack integer overflow: code execution', { when: 'lua' }),
  R('CVE-2025-46818', ['6.2.20', '7.2.11', '7.4.6', '8.0.4', '8.2.2'], 'high', 'Lua metatables: code runs as another user', { when: 'lua' }),
  R('CVE-2025-46819', ['6.2.20', '7.2.11', '7.4.6', '8.0.4', '8.2.2'], 'medium', 'Lua out-of-bounds read', { when: 'lua' }),
  R('CVE-2025-62507', ['8.2.3'], 'critical', 'XACKDEL stack overflow: code execution', { from: '8.2.0' }),
  R('CVE-2026-23479', ['7.4.9', '8.2.6', '8.4.3', '8.6.3'], 'critical', 'unblock-client use-after-free: code execution', { from: '7.2.0' }),
  R('CVE-2026-25243', ['7.4.9', '8.2.6', '8.4.3', '8.6.3'], 'critical', 'RESTORE invalid memory access: code execution'),
  R('CVE-2026-23631', ['7.4.9', '8.2.6', '8.4.3', '8.6.3'], 'critical', 'Lua use-after-free through replication on writable replicas', { when: 'replica-writable' }),
  // Valkey (reports redis_version 7.2.4 frozen, plus valkey_version)
  V('CVE-2025-21605', ['8.0.3', '8.1.1'], 'high', 'unauthenticated client grows the output buffer without bound', { preAuth: true }),
  V('CVE-2025-32023', ['8.0.4', '8.1.3'], 'critical', 'HyperLogLog out-of-bounds write: code execution'),
  V('CVE-2025-48367', ['8.0.4', '8.1.3'], 'high', 'unauthenticated connections starve clients', { preAuth: true }),
  V('CVE-2025-49844', ['8.0.6', '8.1.4'], 'critical', '"RediShell": Lua parser use-after-free, code execution', { when: 'lua' }),
  V('CVE-2025-46817', ['8.0.6', '8.1.4'], 'critical', 'Lua unpack integer overflow: code execution', { when: 'lua' }),
  V('CVE-2025-67733', ['7.2.12', '8.0.7', '8.1.6', '9.0.2'], 'medium', 'RESP injection through Lua error replies', { when: 'lua' }),
  V('CVE-2026-21863', ['7.2.12', '8.0.7', '8.1.6', '9.0.2'], 'medium', 'cluster bus DoS'),
  V('CVE-2026-23479', ['8.1.7', '9.0.4'], 'critical', 'unblock-client use-after-free: code execution'),
  V('CVE-2026-25243', ['8.1.7', '9.0.4'], 'critical', 'RESTORE invalid memory access: code execution'),
  V('CVE-2026-56684', ['8.1.9', '9.0.5', '9.1.1'], 'high', 'TLS pending-data use-after-free'),
  V('CVE-2026-63639', ['8.1.9', '9.0.5', '9.1.1'], 'critical', 'crafted stream RESTORE: use-after-free'),
];

/** Branches still maintained (redis/redis SECURITY.md); anything older is end of life. */
export const SUPPORTED_BRANCHES: Record<string, string[]> = {
  redis: ['6.2', '7.2', '7.4', '8.0', '8.2', '8.4', '8.6', '8.8', '8.10'],
  valkey: ['7.2', '8.0', '8.1', '9.0', '9.1'],
};

/** Numeric parts of "7.0.15" (missing parts are 0); null when not a version. */
export function parseVersion(v: string): number[] | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

export function affects(e: CveEntry, version: string): boolean {
  const v = parseVersion(version);
  if (v === null) return false;
  if (e.from !== undefined && compareVersions(v, parseVersion(e.from)!) < 0) return false;
  const fixes = e.fixed.map((f) => parseVersion(f)!).sort(compareVersions);
  const same = fixes.find((f) => f[0] === v[0] && f[1] === v[1]);
  if (same !== undefined) return compareVersions(v, same) < 0;
  // no fix in this branch: affected when a newer branch carries one (an unpatched, EOL branch)
  return fixes.some((f) => compareVersions(f, v) > 0);
}

/** The entries that apply to a product at a version (preconditions not yet evaluated). */
export function knownCves(product: string, version: string): CveEntry[] {
  return CVES.filter((e) => e.product === product && affects(e, version));
}

export function endOfLife(product: string, version: string): boolean {
  const v = parseVersion(version);
  const branches = SUPPORTED_BRANCHES[product];
  if (v === null || branches === undefined) return false;
  const newest = branches.map((b) => parseVersion(b)!).sort(compareVersions).pop()!;
  if (compareVersions(v, newest) > 0) return false; // newer than this table knows
  return !branches.includes(`${v[0]}.${v[1]}`);
}
