/*
 * Practices 5-8: dangerous commands, audit trail, replication/persistence/versions, resource
 * limits; plus the signs of a past compromise (file-write targets in dir/dbfilename, SSH keys and
 * cron lines stored as values, loaded modules, an unexpected primary).
 */

import type { Check, Facts } from './types';
import { conf } from './util';
import { endOfLife, knownCves, type CveEntry } from '../cves';

function enableSetting(name: string, what: string): Check {
  return {
    id: `cmd.${name}`, practice: 5, severity: 'high', title: `${name} allows ${what}`,
    description: `${name} yes lets any client with the permission use ${what}; local limits it to loopback.`,
    run(f) {
      const v = conf(f, name);
      if (v !== 'yes' && v !== 'local') return [];
      return [{ severity: v === 'yes' ? 'high' : 'medium', title: `${name} ${v}`,
        evidence: `${name} ${v}: ${what} ${v === 'yes' ? 'from any connection' : 'from loopback and the Unix socket'}.`,
        remediation: `${name} no (the default); it can only be changed in the configuration file.` }];
    },
  };
}

function cveApplies(e: CveEntry, f: Facts): boolean {
  if (e.when === 'lua') return !(f.missingCommands ?? []).includes('eval');
  if (e.when === 'replica-writable') return conf(f, 'replica-read-only') === 'no';
  if (e.when === '32bit') return f.archBits === 32;
  return true;
}

const SUSPICIOUS_DIR = /(^|\/)\.ssh(\/|$)|\/cron|^\/etc(\/|$)|\/var\/www|\/srv\/www|\/html(\/|$)|^\/root\/?$|^\/boot|^\/usr\/(s?bin|lib)/;
const SUSPICIOUS_FILE = /^(authorized_keys\d?|root|crontab|.*\.so|.*\.php\d?|.*\.jsp|.*\.sh|.*\.py|.*\.pl|\.bashrc|\.profile)$/i;

function parseObufNormal(v: string | undefined): number[] | null {
  if (v === undefined) return null;
  const w = v.split(/\s+/);
  const i = w.indexOf('normal');
  return i < 0 ? null : w.slice(i + 1, i + 4).map(Number);
}

export const SYSTEM_CHECKS: Check[] = [
  enableSetting('enable-debug-command', 'DEBUG (crash, sleep, memory inspection)'),
  enableSetting('enable-module-command', 'MODULE LOAD (native code execution)'),
  enableSetting('enable-protected-configs', 'CONFIG SET dir/dbfilename (arbitrary file writes)'),
  {
    id: 'cmd.renamed', practice: 5, severity: 'low', title: 'Dangerous commands hidden by rename-command',
    description: 'rename-command is obscurity, deprecated in Redis, and breaks replication and AOF tooling; ACL rules are the real control.',
    run(f) {
      const renamed = (f.renames ?? []).map(([a, b]) => (b === '' ? `${a} (removed)` : `${a} -> [redacted]`));
      const missing = f.renames === null ? (f.missingCommands ?? []).map((c) => `${c.toUpperCase()} (not callable by name)`) : [];
      const all = renamed.length ? renamed : missing;
      if (all.length === 0) return [];
      return [{ severity: 'low', title: this.title, evidence: all.join(', ') + '.',
        remediation: 'Keep the rename if clients rely on it, but enforce with ACL users: `-@dangerous` for applications.' }];
    },
  },
  {
    id: 'cmd.config-unreadable', practice: 6, severity: 'info', title: 'Configuration not readable by the audit',
    description: 'CONFIG GET * was refused or renamed: configuration checks were skipped.',
    run(f) {
      if (f.config !== null || f.mode !== 'live') return [];
      return [{ severity: 'info', title: this.title, evidence: f.notes.find((n) => n.startsWith('CONFIG GET')) ?? 'CONFIG GET * failed.',
        remediation: 'Run the audit as an administrator user, or audit the configuration file with --config.' }];
    },
  },
  {
    id: 'cmd.modules-loaded', practice: 5, severity: 'high', title: 'Modules loaded',
    description: 'Native modules run with the server\'s privileges; an unknown module is a classic post-exploitation sign.',
    run(f) {
      if (f.modules === null || f.modules.length === 0) return [];
      return [{ severity: 'high', title: this.title, evidence: `MODULE LIST: ${f.modules.join(', ')}.`, remediation: 'Confirm each module is expected; remove unknown ones and investigate how they were loaded.' }];
    },
  },
  {
    id: 'log.no-audit-trail', practice: 6, severity: 'low', title: 'No persistent audit trail',
    description: 'Connections, authentication and configuration changes are not recorded anywhere durable.',
    run(f) {
      if (f.product === 'redis' || f.product === 'valkey') {
        return [{ severity: 'low', title: this.title, evidence: `${f.product} keeps only the in-memory ACL LOG (lost on restart, ${conf(f, 'acllog-max-len') ?? '128'} entries).`, remediation: 'Ship the server log and ACL LOG to a log system, or run Redoubt (audit-log-file).' }];
      }
      if (f.product !== 'redoubt' || f.config === null) return [];
      const v = conf(f, 'audit-log-file');
      if (v !== undefined && v !== '') return [];
      return [{ severity: 'low', title: this.title, evidence: v === undefined ? 'this Redoubt has no audit-log-file directive.' : 'audit-log-file is empty (off).', remediation: 'audit-log-file /var/log/redoubt/audit.jsonl (or stdout / syslog:redoubt).' }];
    },
  },
  {
    id: 'version.known-cve', practice: 7, severity: 'critical', title: 'Known vulnerability',
    description: 'The server version is affected by a published vulnerability (src/audit/cves.ts).',
    run(f) {
      if (f.version === null || f.product === 'unknown') return [];
      return knownCves(f.product, f.version).filter((e) => cveApplies(e, f)).map((e) => ({
        severity: e.severity, title: `${e.id}: ${e.what}`,
        evidence: `${f.product} ${f.version} is affected${e.preAuth ? ' (exploitable without credentials)' : ''}; fixed in ${e.fixed.join(', ')}.`,
        remediation: `Upgrade to a fixed release of a maintained branch.`,
      }));
    },
  },
  {
    id: 'version.end-of-life', practice: 7, severity: 'medium', title: 'Unmaintained release branch',
    description: 'The branch no longer receives security fixes.',
    run(f) {
      if (f.version === null || !endOfLife(f.product, f.version)) return [];
      return [{ severity: 'medium', title: this.title, evidence: `${f.product} ${f.version}: the ${f.version.split('.').slice(0, 2).join('.')} branch is end of life.`, remediation: 'Move to a maintained branch.' }];
    },
  },
  {
    id: 'version.unknown', practice: 7, severity: 'info', title: 'Version unknown',
    description: 'INFO server could not be read.',
    run(f) {
      if (f.mode !== 'live' || f.version !== null) return [];
      return [{ severity: 'info', title: this.title, evidence: 'INFO server was refused or unreadable; the CVE check was skipped.', remediation: 'Run the audit as a user allowed INFO.' }];
    },
  },
  {
    id: 'compromise.file-write-target', practice: 7, severity: 'critical', title: 'Persistence points at a file-write attack target',
    description: 'dir/dbfilename set to SSH, cron, web or system locations is the classic CONFIG SET + SAVE attack.',
    run(f) {
      const dir = conf(f, 'dir');
      const file = conf(f, 'dbfilename');
      const bad = [];
      if (dir !== undefined && SUSPICIOUS_DIR.test(dir)) bad.push(`dir ${dir}`);
      if (file !== undefined && SUSPICIOUS_FILE.test(file)) bad.push(`dbfilename ${file}`);
      if (bad.length === 0) return [];
      return [{ severity: 'critical', title: this.title, evidence: bad.join(', ') + '.',
        remediation: 'Treat the host as compromised: check authorized_keys, crontabs and web roots; restore dir/dbfilename; keep enable-protected-configs no.' }];
    },
  },
  {
    id: 'compromise.suspicious-values', practice: 7, severity: 'critical', title: 'Keys hold SSH keys or cron lines',
    description: 'Values shaped like SSH public keys or crontab entries are what file-write attacks store before SAVE.',
    run(f) {
      if (f.suspiciousKeys === null || f.suspiciousKeys.length === 0) return [];
      return [{ severity: 'critical', title: this.title,
        evidence: `${f.suspiciousKeys.slice(0, 10).map((k) => `${JSON.stringify(k.key)} (${k.reason})`).join(', ')}${f.suspiciousKeys.length > 10 ? ', ...' : ''} among ${f.keysSampled} sampled keys.`,
        remediation: 'Inspect and delete them; check the host for written files; find how the writer got in (ACL LOG, logs).' }];
    },
  },
  {
    id: 'repl.primary', practice: 7, severity: 'medium', title: 'Replicating from a primary',
    description: 'A replica trusts its primary completely; an attacker-set primary (REPLICAOF) pushes data and RDB payloads.',
    run(f) {
      const r = f.replication;
      if (r === null || (r.role !== 'slave' && r.role !== 'replica')) return [];
      const allowed = conf(f, 'replicaof-allowed-primaries');
      const out = [{ severity: allowed ? 'info' as const : 'medium' as const, title: `Replica of ${r.masterHost}:${r.masterPort}`,
        evidence: `role:slave, master_host:${r.masterHost}, master_port:${r.masterPort}, link ${r.linkStatus ?? 'unknown'}${allowed ? `; replicaof-allowed-primaries ${allowed}` : ''}.`,
        remediation: 'Confirm the primary is yours; restrict REPLICAOF to administrators (Redoubt: replicaof-allowed-primaries).' }];
      if (conf(f, 'masterauth') === '') {
        out.push({ severity: 'medium', title: 'Replica does not authenticate to its primary', evidence: 'masterauth is empty.', remediation: 'masteruser/masterauth for a replication user on the primary.' });
      }
      return out;
    },
  },
  {
    id: 'repl.writable-replica', practice: 7, severity: 'medium', title: 'Replica accepts writes',
    description: 'replica-read-only no lets clients diverge a replica and is a precondition of CVE-2026-23631.',
    run(f) {
      if (conf(f, 'replica-read-only') !== 'no') return [];
      return [{ severity: 'medium', title: this.title, evidence: 'replica-read-only no.', remediation: 'replica-read-only yes (the default).' }];
    },
  },
  {
    id: 'persist.none', practice: 7, severity: 'low', title: 'No persistence',
    description: 'With no save points and no AOF, a restart loses every key.',
    run(f) {
      if (f.config === null) return [];
      if (conf(f, 'save') !== '' || conf(f, 'appendonly') !== 'no') return [];
      if ((f.replication?.connectedReplicas ?? 0) > 0) return [];
      return [{ severity: 'low', title: this.title, evidence: 'save "" and appendonly no, and no replica attached.', remediation: 'appendonly yes, or save points, or a replica; keep backups.' }];
    },
  },
  {
    id: 'persist.sanitize-payload', practice: 7, severity: 'low', title: 'RESTORE payloads are not deep-checked',
    description: 'sanitize-dump-payload no: a crafted DUMP payload is the entry point of several RESTORE CVEs.',
    run(f) {
      // Redoubt rebuilds every RESTORE payload in its own structures, so it checks every byte
      // whatever the setting (docs/compatibility.md)
      if (f.product === 'redoubt') return [];
      const v = conf(f, 'sanitize-dump-payload');
      if (v !== 'no') return [];
      return [{ severity: 'low', title: this.title, evidence: 'sanitize-dump-payload no.', remediation: 'sanitize-dump-payload yes (or clients), and deny RESTORE to applications.' }];
    },
  },
  {
    id: 'limits.output-buffer', practice: 8, severity: 'medium', title: 'Normal clients have no output-buffer limit',
    description: 'client-output-buffer-limit normal 0 0 0 lets a client that never reads grow server memory (CVE-2025-21605 precondition).',
    run(f) {
      const n = parseObufNormal(conf(f, 'client-output-buffer-limit'));
      if (n === null || n.some((x) => x !== 0)) return [];
      return [{ severity: f.product === 'redoubt' ? 'low' : 'medium', title: this.title,
        evidence: `client-output-buffer-limit normal 0 0 0${f.product === 'redoubt' ? ' (Redoubt caps unauthenticated clients at 1 MB regardless)' : ''}.`,
        remediation: 'client-output-buffer-limit normal 256mb 64mb 60 (sized to your largest legitimate reply).' }];
    },
  },
  {
    id: 'limits.idle-timeout', practice: 8, severity: 'low', title: 'Idle connections are never closed',
    description: 'timeout 0 lets abandoned or parked connections hold client slots forever.',
    run(f) {
      if (conf(f, 'timeout') !== '0') return [];
      return [{ severity: 'low', title: this.title, evidence: 'timeout 0.', remediation: 'timeout 300 (clients with pools reconnect transparently).' }];
    },
  },
  {
    id: 'limits.maxmemory', practice: 8, severity: 'low', title: 'No memory limit',
    description: 'maxmemory 0: the dataset can grow until the kernel kills the process.',
    run(f) {
      if (conf(f, 'maxmemory') !== '0') return [];
      return [{ severity: 'low', title: this.title, evidence: 'maxmemory 0.', remediation: 'maxmemory <bytes> with a maxmemory-policy that suits the data.' }];
    },
  },
  {
    id: 'limits.raised-request-size', practice: 8, severity: 'medium', title: 'Request size limits raised',
    description: 'proto-max-bulk-len / client-query-buffer-limit above their defaults are preconditions of several overflow CVEs.',
    run(f) {
      const bulk = Number(conf(f, 'proto-max-bulk-len') ?? 0);
      const qbuf = Number(conf(f, 'client-query-buffer-limit') ?? 0);
      const bad = [];
      if (bulk > 536870912) bad.push(`proto-max-bulk-len ${bulk}`);
      if (qbuf > 1073741824) bad.push(`client-query-buffer-limit ${qbuf}`);
      if (bad.length === 0) return [];
      return [{ severity: 'medium', title: this.title, evidence: bad.join(', ') + '.', remediation: 'Return them to 512mb / 1gb (or lower).' }];
    },
  },
];
