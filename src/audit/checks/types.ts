/*
 * The auditor's data model. Collection (src/audit/collect.ts for a live server or a redis.conf,
 * src/audit/self.ts inside Redoubt) produces one `Facts` object; every check is a pure function
 * from Facts to findings, so the same checks grade a remote Redis, a configuration file and the
 * running Redoubt, and tests can feed them hand-made facts.
 *
 * Invariants: a fact that could not be collected is `null` (never a guessed default), and a check
 * whose facts are missing produces nothing; `Facts.notes` says what could not be collected and why,
 * so "no finding" is never confused with "not checked".
 */

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** The ten hardening practices (docs/security.md "Hardening practices and the audit"). */
export const PRACTICES: Record<number, string> = {
  1: 'Require strong authentication',
  2: 'Grant least privilege with ACL users',
  3: 'Encrypt traffic in transit (TLS)',
  4: 'Limit open ports',
  5: 'Disable or restrict dangerous commands',
  6: 'Audit regularly and keep an audit trail',
  7: 'Keep replicas, persistence and versions safe',
  8: 'Limit rates and resources',
  9: 'Bind to specific addresses',
  10: 'Accept clients only from trusted networks',
};

export interface Finding {
  /** stable check id, e.g. `auth.default-nopass` (SARIF ruleId) */
  id: string;
  severity: Severity;
  title: string;
  /** what was observed, with the values that prove it */
  evidence: string;
  remediation: string;
  /** the practice (1-10) the check verifies */
  practice: number;
}

export interface UserFact {
  name: string;
  enabled: boolean;
  nopass: boolean;
  /** stored password hashes (sha256 hex, or Redoubt's $scrypt$ form) */
  hashes: string[];
  /** the ACL LIST rules after the name */
  rules: string;
  /** ACL DRYRUN of each dangerous probe command: probe label → allowed; null when not known */
  allowed: Record<string, boolean> | null;
}

export interface TlsFacts {
  /** protocol versions the server accepted a handshake with */
  protocols: Record<string, boolean>;
  /** 'required' | 'optional' (no certificate was fine) | 'unknown' */
  clientCert: 'required' | 'not-required' | 'unknown';
  cert: {
    subject: string;
    issuer: string;
    selfSigned: boolean;
    validTo: string;
    daysLeft: number;
    keyType: string;
    keyBits: number;
  } | null;
}

export type Product = 'redis' | 'valkey' | 'redoubt' | 'unknown';

export interface Facts {
  mode: 'live' | 'config' | 'self';
  /** URL without the password, or the configuration file path */
  target: string;
  product: Product;
  /** the product's own version (valkey_version / redoubt_version / redis_version) */
  version: string | null;
  archBits: number | null;
  /** CONFIG GET * (or the file's effective settings), lower-case names; null when refused */
  config: Record<string, string> | null;
  /** the raw rename-command pairs when known (config/self mode) */
  renames: [string, string][] | null;
  /** dangerous commands that are not callable under their own name (renamed or removed) */
  missingCommands: string[] | null;
  users: UserFact[] | null;
  /** the reply a client with no credentials gets to PING ('closed' when the server hung up) */
  unauthReply: string | null;
  /** the HTTP probe: 'closed' (dropped), 'answered' (the server replied), or null (not tested) */
  crossProtocol: 'closed' | 'answered' | null;
  tls: TlsFacts | null;
  /** whether the audit connection itself used TLS */
  viaTls: boolean;
  /** keys whose value looks like an SSH key or a cron line: key → reason */
  suspiciousKeys: { key: string; reason: string }[] | null;
  keysSampled: number;
  replication: { role: string; masterHost: string | null; masterPort: string | null; linkStatus: string | null; connectedReplicas: number } | null;
  modules: string[] | null;
  /** weak passwords that worked (null = not tested: needs --check-weak-passwords) */
  weakPasswords: { user: string; password: string }[] | null;
  /** selected INFO stats counters */
  stats: Record<string, number> | null;
  notes: string[];
}

export function emptyFacts(mode: Facts['mode'], target: string): Facts {
  return {
    mode, target, product: 'unknown', version: null, archBits: null, config: null, renames: null,
    missingCommands: null, users: null, unauthReply: null, crossProtocol: null, tls: null, viaTls: false,
    suspiciousKeys: null, keysSampled: 0, replication: null, modules: null, weakPasswords: null, stats: null, notes: [],
  };
}

export interface Check {
  id: string;
  practice: number;
  title: string;
  /** the worst severity the check can report (SARIF default level) */
  severity: Severity;
  description: string;
  run(f: Facts): Omit<Finding, 'id' | 'practice'>[];
}

/**
 * The probes ACL DRYRUN runs for each user: label → argv. Takeover primitives first; the order is
 * the report's order.
 */
export const DANGEROUS_PROBES: Record<string, string[]> = {
  'CONFIG SET': ['CONFIG', 'SET', 'dir', '/tmp'],
  'CONFIG GET': ['CONFIG', 'GET', '*'],
  'DEBUG': ['DEBUG', 'SLEEP', '0'],
  'MODULE LOAD': ['MODULE', 'LOAD', '/x.so'],
  'REPLICAOF': ['REPLICAOF', 'no', 'one'],
  'SLAVEOF': ['SLAVEOF', 'no', 'one'],
  'FLUSHALL': ['FLUSHALL'],
  'FLUSHDB': ['FLUSHDB'],
  'SWAPDB': ['SWAPDB', '0', '1'],
  'KEYS': ['KEYS', '*'],
  'SHUTDOWN': ['SHUTDOWN'],
  'MIGRATE': ['MIGRATE', 'h', '1', 'k', '0', '1'],
  'RESTORE': ['RESTORE', 'k', '0', 'x'],
  'EVAL': ['EVAL', 'return 1', '0'],
  'FUNCTION LOAD': ['FUNCTION', 'LOAD', 'x'],
  'SAVE': ['SAVE'],
  'BGSAVE': ['BGSAVE'],
  'BGREWRITEAOF': ['BGREWRITEAOF'],
  'MONITOR': ['MONITOR'],
  'CLIENT KILL': ['CLIENT', 'KILL', '1.2.3.4:5'],
  'ACL SETUSER': ['ACL', 'SETUSER', 'x'],
  'ACL LOAD': ['ACL', 'LOAD'],
};

/** Probes whose success means full control of the server (code execution or file writes). */
export const TAKEOVER = ['CONFIG SET', 'DEBUG', 'MODULE LOAD', 'REPLICAOF', 'SLAVEOF', 'ACL SETUSER', 'ACL LOAD'];
/** Top-level commands whose absence under their own name shows rename-command at work. */
export const RENAMEABLE = ['config', 'debug', 'flushall', 'flushdb', 'keys', 'shutdown', 'module', 'replicaof', 'slaveof', 'save', 'bgsave', 'bgrewriteaof', 'eval', 'script', 'function', 'monitor', 'migrate', 'restore', 'acl'];
