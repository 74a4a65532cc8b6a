/*
 * The persistent audit log: one JSON object per line (src/audit/events.ts builds them) written to a
 * file, to stdout, or to the local syslog, for the classes `audit-log-events` selects.
 *
 * API for other code (issue 9's lockouts and rate limits, for instance):
 *
 *     server.audit?.emit('denied', 'ratelimit.refused', { client: conn, reason: 'per-user rate' });
 *
 * `server.audit` is null while `audit-log-file` is empty, so a disabled log costs every caller one
 * null check. `emit(cls, event, fields)` files the record under `cls` (dropped unless that class
 * is enabled); a `client` field (any Session) expands into client_id, user, addr, laddr and tls.
 *
 * Writing. Records of one event-loop turn are gathered and written together after it
 * (setImmediate), so a pipeline of audited writes costs one write(2). `audit-log-fsync always`
 * writes and fsyncs each record before the command's reply is produced; `everysec` fsyncs at most
 * once a second (a timer catches the tail); `no` leaves it to the kernel. Files are opened with
 * O_NOFOLLOW (a symbolic link planted at the path is refused, never followed), created 0600 and
 * set to 0600 if they were looser; rotation (audit-log-max-size, audit-log-max-files) renames
 * file → file.1 → file.2 ... and drops the oldest; max-size is a bound, so when rotation is
 * impossible the records are not written (an error, handled by the policy below).
 *
 * When records cannot be written (audit-log-on-error):
 *  - `continue`: the server keeps serving; lost records are counted (audit_events_dropped), the
 *    failure is logged at warning level (once a minute while it lasts) and shown in INFO
 *    (audit_log_ok:0). Writing is retried at most once a second.
 *  - `refuse`: every command that would produce a record (its class is enabled: ACL and CONFIG
 *    changes, dangerous commands, AUTH/HELLO AUTH, writes when `write` is on) is refused with
 *    AUDIT_REFUSAL while the failure lasts, so nothing audited happens unrecorded; everything else
 *    is served. Records held meanwhile (up to 4 MB) are written once the log works again. Before a
 *    refusal the log is retried (at most once a second), so repairing the disk is enough to recover.
 * Changes to the audit-log-* settings themselves are always recorded, whatever the classes.
 */

import * as tls from 'node:tls';
import { FileSink, StdoutSink, SyslogSink, type Sink } from './sinks';
import type { Command } from '../commands/table';
import type { Session } from '../commands/context';
import type { Server } from '../server/server';
import type { Connection } from '../net/connection';
import { describeUser } from '../security/acldescribe';
import {
  AUDIT_CLASSES, CLASS_BIT, REDACTED, commandClassMask, commandKeys, pickClass, recordLine, redactDescription,
  redactRules, truncate, MAX_VALUE_LEN, type AuditClass,
} from './events';

export const AUDIT_REFUSAL = 'AUDITFAIL The audit log cannot be written and audit-log-on-error is refuse: commands that must be audited are refused until it can. Check the server log.';

/** Returned by `before` when the command must not run. */
export const AUDIT_REFUSED = Symbol('audit-refused');

const HELD_MAX = 4 * 1024 * 1024;
const RETRY_MS = 1000;
const WARN_EVERY_MS = 60000;
const BATCH_MAX = 64 * 1024;

/** What `before` remembers for `after`. */
export interface PendingRecord {
  cls: AuditClass;
  event: string;
  outLen: number;
  errors: number;
  keys: string[] | undefined;
  extra: Record<string, unknown> | null;
  /** the user ACL SETUSER names (its handler redacts argv before `after` runs) */
  subject?: string;
  conn: Session;
  cmd: Command;
}

/* ------------------------------------------------------------------ the log */

export class AuditLog {
  /** enabled classes (CLASS_BIT mask) */
  enabled = 0;
  private fsyncPolicy: 'always' | 'everysec' | 'no' = 'everysec';
  private refuseOnError = false;
  private maxSize = 0;
  private maxFiles = 10;

  private sink: Sink | null = null;
  private buffer = '';
  private bufferedEvents = 0;
  private flushScheduled = false;
  private dirty = false;
  private lastSync = 0;
  private syncTimer: NodeJS.Timeout | null = null;

  /** the last write failed: the error, and when writing may be tried again */
  private failure: Error | null = null;
  private retryAt = 0;
  private lastWarn = -Infinity;
  private droppedSinceFailure = 0;

  written = 0;
  dropped = 0;
  errors = 0;

  private readonly masks = new WeakMap<Command, number>();
  /** the audited command running now (between before and after) */
  private inFlight: PendingRecord | null = null;
  private readonly tlsIds = new WeakMap<object, Record<string, string> | null>();

  private constructor(private readonly server: Server, readonly target: string) {}

  /**
   * The log `audit-log-file` asks for, or null when it is empty. Throws (start-up fails) for a
   * syslog sink that cannot work; a file that cannot be opened is the on-error policy's business.
   */
  static open(server: Server): AuditLog | null {
    const cfg = server.config;
    const target = cfg.get('audit-log-file') as string;
    if (target === '') return null;
    const log = new AuditLog(server, target);
    cfg.onChange('audit-log-events', (v: number) => (log.enabled = v));
    cfg.onChange('audit-log-fsync', (v: 'always' | 'everysec' | 'no') => (log.fsyncPolicy = v));
    cfg.onChange('audit-log-on-error', (v: string) => (log.refuseOnError = v === 'refuse'));
    cfg.onChange('audit-log-max-size', (v: number) => (log.maxSize = v));
    cfg.onChange('audit-log-max-files', (v: number) => (log.maxFiles = v));
    if (target.startsWith('syslog:')) log.sink = new SyslogSink(target.slice(7), cfg.get('audit-log-syslog-socket') as string);
    else if (target === 'stdout') log.sink = new StdoutSink();
    else log.openFile();
    log.syncTimer = setInterval(() => log.tick(), 1000);
    log.syncTimer.unref();
    log.emit('audit', 'audit.opened', { pid: process.pid, sink: log.sink?.kind ?? 'file', events: AUDIT_CLASSES.filter((c) => (log.enabled & CLASS_BIT[c]) !== 0) });
    return log;
  }

  private openFile(): void {
    try {
      this.sink = new FileSink(this.target);
    } catch (e) {
      this.sink = null;
      this.failed(e as Error);
    }
  }

  /* ---------------------------------------------------------------- writing */

  /**
   * Files one record under `cls` if that class is enabled ('audit' records, about the log
   * itself, always are). A `client` field expands into the session's identity.
   */
  emit(cls: AuditClass | 'audit', event: string, fields: Record<string, unknown> = {}): void {
    if (cls !== 'audit' && (this.enabled & CLASS_BIT[cls]) === 0) return;
    let f = fields;
    if (f.client !== undefined) {
      const { client, ...rest } = f;
      f = { ...this.identity(client as Session), ...rest };
    }
    this.append(recordLine(Date.now(), cls, event, f));
  }

  private append(line: string): void {
    if (this.fsyncPolicy === 'always') {
      this.buffer += line;
      this.bufferedEvents++;
      this.flush();
      return;
    }
    this.buffer += line;
    this.bufferedEvents++;
    if (this.buffer.length >= BATCH_MAX) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushSoon);
    }
  }

  private readonly flushSoon = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  /** Writes what is buffered, or applies the error policy to it. */
  flush(): void {
    if (this.buffer === '') return;
    const now = Date.now();
    if (this.failure !== null && now < this.retryAt) {
      this.hold();
      return;
    }
    try {
      if (this.sink === null) this.reopen();
      if (this.sink!.broken !== null) throw this.sink!.broken;
      this.sink!.write(this.buffer, this.maxSize, this.maxFiles);
    } catch (e) {
      this.failed(e as Error);
      this.hold();
      return;
    }
    this.written += this.bufferedEvents;
    this.buffer = '';
    this.bufferedEvents = 0;
    this.dirty = true;
    if (this.fsyncPolicy === 'always' || (this.fsyncPolicy === 'everysec' && now - this.lastSync >= 1000)) this.sync(now);
    if (this.failure !== null) this.recovered();
  }

  private reopen(): void {
    if (this.target === 'stdout' || this.target.startsWith('syslog:')) throw this.failure ?? new Error('sink unavailable');
    this.sink = new FileSink(this.target);
  }

  private sync(now: number): void {
    if (!this.dirty || this.sink === null) return;
    try {
      this.sink.sync();
      this.dirty = false;
      this.lastSync = now;
    } catch (e) {
      this.failed(e as Error);
    }
  }

  /** Once a second: everysec's fsync, and a retry of a failed log that nothing else wakes. */
  private tick(): void {
    const now = Date.now();
    if (this.failure !== null && now >= this.retryAt) {
      if (this.buffer !== '') this.flush();
      else this.probe();
    }
    if (this.fsyncPolicy === 'everysec') this.sync(now);
  }

  /** With nothing to write, checks whether a failed log works again (opens the file). */
  private probe(): void {
    try {
      if (this.sink === null) this.reopen();
      if (this.sink!.broken !== null) throw this.sink!.broken;
    } catch (e) {
      this.failed(e as Error, false);
      return;
    }
    this.recovered();
  }

  /** Failed records: `continue` drops them, `refuse` keeps them for later (bounded). */
  private hold(): void {
    if (this.refuseOnError && this.buffer.length <= HELD_MAX) return;
    this.dropped += this.bufferedEvents;
    this.droppedSinceFailure += this.bufferedEvents;
    this.buffer = '';
    this.bufferedEvents = 0;
  }

  private failed(e: Error, count = true): void {
    const now = Date.now();
    if (count) this.errors++;
    const first = this.failure === null;
    this.failure = e;
    this.retryAt = now + RETRY_MS;
    if (first || now - this.lastWarn >= WARN_EVERY_MS) {
      this.lastWarn = now;
      const policy = this.refuseOnError ? 'commands that must be audited are refused until it works again' : 'the server keeps serving and the records are lost';
      this.server.log('warning', `Audit log ${this.target} cannot be written: ${e.message} (audit-log-on-error ${this.refuseOnError ? 'refuse' : 'continue'}: ${policy})`);
    }
  }

  private recovered(): void {
    const lost = this.droppedSinceFailure;
    this.failure = null;
    this.droppedSinceFailure = 0;
    this.server.log('warning', `Audit log ${this.target} is writable again${lost > 0 ? ` (${lost} records were lost)` : ''}`);
    this.emit('audit', 'audit.recovered', { dropped: lost });
  }

  /** True while `audit-log-on-error refuse` must refuse audited commands (after one retry). */
  private refusing(): boolean {
    if (!this.refuseOnError || this.failure === null) return false;
    if (Date.now() >= this.retryAt) {
      if (this.buffer !== '') this.flush();
      else this.probe();
    }
    return this.failure !== null;
  }

  close(): void {
    // a command that ends the process (SHUTDOWN) never reaches `after`: its record is written here
    const p = this.inFlight;
    if (p !== null) {
      this.inFlight = null;
      this.emitForced(p.cls, p.event, { client: p.conn, command: p.cmd.fullname, keys: p.keys, result: 'exiting', ...p.extra });
    }
    this.emit('audit', 'audit.closed', { written: this.written + this.bufferedEvents, dropped: this.dropped });
    this.flush();
    if (this.syncTimer !== null) clearInterval(this.syncTimer);
    this.sink?.close();
  }

  /* ---------------------------------------------------------------- who */

  private identity(c: Session): Record<string, unknown> {
    const conn = c as Connection;
    const out: Record<string, unknown> = { client_id: conn.id, user: conn.aclUser?.name ?? conn.user, addr: conn.addr, laddr: conn.laddr };
    const t = this.tlsIdentity(conn.socket);
    if (t !== null) out.tls = t;
    return out;
  }

  /** The peer certificate's subject CN and SHA-256 fingerprint (computed once per socket). */
  private tlsIdentity(socket: unknown): Record<string, string> | null {
    if (!(socket instanceof tls.TLSSocket)) return null;
    let id = this.tlsIds.get(socket);
    if (id !== undefined) return id;
    id = null;
    try {
      const cert = socket.getPeerCertificate();
      if (cert !== null && cert !== undefined && Object.keys(cert).length > 0) {
        const cn = (cert.subject as unknown as Record<string, string | string[] | undefined> | undefined)?.CN;
        id = { verified: socket.authorized ? 'yes' : 'no', fingerprint256: cert.fingerprint256 };
        if (cn !== undefined) id.cn = Array.isArray(cn) ? cn.join(',') : cn;
      } else {
        id = { cert: 'none' };
      }
    } catch { /* the socket is gone */ }
    this.tlsIds.set(socket, id);
    return id;
  }

  /* ---------------------------------------------------------------- hooks (server, net) */

  connectionAccepted(conn: Session): void {
    if ((this.enabled & CLASS_BIT.connection) === 0) return;
    this.emit('connection', 'connection.accepted', { client: conn });
  }

  connectionRefused(addr: string, laddr: string, reason: string): void {
    if ((this.enabled & CLASS_BIT.connection) === 0) return;
    this.emit('connection', 'connection.refused', { addr, laddr, reason });
  }

  connectionClosed(conn: Session & { createdAt?: number }): void {
    if ((this.enabled & CLASS_BIT.connection) === 0) return;
    this.emit('connection', 'connection.closed', { client: conn, age_ms: conn.createdAt === undefined ? undefined : Date.now() - conn.createdAt });
  }

  /** AUTH, HELLO ... AUTH and certificate logins. `username` is the name claimed. */
  authResult(conn: Session, username: string, ok: boolean, via: string): void {
    if ((this.enabled & CLASS_BIT.auth) === 0) return;
    // on success the session already runs as the user; on failure it is still who it was
    this.emit('auth', ok ? 'auth.success' : 'auth.failure', { client: conn, via: via.toLowerCase(), username: truncate(username, MAX_VALUE_LEN), result: ok ? 'ok' : 'WRONGPASS' });
  }

  /** A command refused by the pipeline: NOAUTH, NOPERM, a protected command. */
  denied(conn: Session, cmd: Command | null, argv: string[], reason: string, error: string): void {
    if ((this.enabled & CLASS_BIT.denied) === 0) return;
    const name = cmd?.fullname ?? truncate(argv[0] ?? '', MAX_VALUE_LEN).toLowerCase();
    const keys = cmd !== null && reason !== 'noauth' ? commandKeys(cmd, argv) : undefined;
    this.emit('denied', 'command.denied', { client: conn, command: name, keys, reason, result: error.slice(0, error.indexOf(' ') >>> 0) });
  }

  /* ---------------------------------------------------------------- hooks (the pipeline) */

  private maskOf(cmd: Command): number {
    let m = this.masks.get(cmd);
    if (m === undefined) this.masks.set(cmd, (m = commandClassMask(cmd)));
    return m;
  }

  /**
   * Before a command runs: null if nothing will be recorded, AUDIT_REFUSED if it must not run,
   * or what `after` needs (values before a change, keys before a handler redacts its argv).
   */
  before(conn: Session, cmd: Command, argv: string[]): PendingRecord | null | typeof AUDIT_REFUSED {
    const name = cmd.fullname;
    if ((name === 'auth' || (name === 'hello' && argv.some((a, i) => i >= 2 && a.toLowerCase() === 'auth'))) && (this.enabled & CLASS_BIT.auth) !== 0) {
      return this.refusing() ? AUDIT_REFUSED : null;
    }
    let cls = pickClass(this.maskOf(cmd), this.enabled);
    let extra: Record<string, unknown> | null = null;
    if (name === 'config|set') {
      const cfg = this.server.config;
      const params: Record<string, unknown>[] = [];
      let auditSetting = false;
      for (let i = 2; i + 1 < argv.length; i += 2) {
        const d = cfg.lookup(argv[i]);
        if (d?.name.startsWith('audit-log-')) auditSetting = true;
        const secret = d?.sensitive === true;
        params.push({ name: truncate(d?.name ?? argv[i], MAX_VALUE_LEN), old: d === undefined ? null : secret ? REDACTED : truncate(cfg.show(d), MAX_VALUE_LEN), requested: secret ? REDACTED : truncate(argv[i + 1], MAX_VALUE_LEN) });
      }
      // changes to the audit log's own settings are recorded whatever the classes
      if (auditSetting && (cls === null || cls === 'write')) cls = 'config';
      if (cls === 'config') extra = { params };
    }
    if (cls === null) return null;
    if (this.refusing()) return AUDIT_REFUSED;
    if (cls === 'acl') extra = this.aclBefore(name, argv);
    return this.inFlight = {
      conn,
      cmd,
      cls,
      event: cls === 'acl' || cls === 'config' ? name.replace('|', '.') : `command.${cls}`,
      outLen: (conn as Connection).reply?.out.length ?? 0,
      errors: this.server.stats.totalErrorReplies,
      keys: commandKeys(cmd, argv),
      extra,
      subject: name === 'acl|setuser' ? argv[2] : undefined,
    };
  }

  private describe(name: string): string | null {
    const u = this.server.acl.getUser(name);
    return u === undefined ? null : truncate(redactDescription(`user ${u.name} ${describeUser(u, this.server.acl.index)}`), 4 * MAX_VALUE_LEN);
  }

  private allUsers(): string[] {
    return this.server.acl.sortedUsers().slice(0, 100).map((u) => this.describe(u.name)!);
  }

  private aclBefore(name: string, argv: string[]): Record<string, unknown> {
    if (name === 'acl|setuser') {
      return { username: truncate(argv[2], MAX_VALUE_LEN), rules: redactRules(argv.slice(3)).map((r) => truncate(r, MAX_VALUE_LEN)), old: this.describe(argv[2]) };
    }
    if (name === 'acl|deluser') {
      const names = argv.slice(2, 2 + 100);
      return { usernames: names.map((n) => truncate(n, MAX_VALUE_LEN)), old: names.map((n) => this.describe(n)).filter((d) => d !== null) };
    }
    if (name === 'acl|load') return { old: this.allUsers() };
    return {};
  }

  /** After it ran: the result, the values after a change, and the record. */
  after(conn: Session, cmd: Command, argv: string[], p: PendingRecord): void {
    this.inFlight = null;
    const c = conn as Connection;
    let result = 'ok';
    if (this.server.stats.totalErrorReplies > p.errors) {
      const out = c.reply?.out ?? '';
      let at = out.charCodeAt(p.outLen) === 45 ? p.outLen : out.indexOf('\r\n-', p.outLen) + 2;
      if (at < 2 && out.charCodeAt(p.outLen) !== 45) at = -1;
      if (at >= 0) {
        const end = out.indexOf('\r\n', at);
        const line = out.slice(at + 1, end < 0 ? undefined : end);
        const sp = line.indexOf(' ');
        result = sp < 0 ? line : line.slice(0, sp);
      } else {
        result = 'ERR';
      }
    }
    const fields: Record<string, unknown> = { client: conn, command: cmd.fullname, keys: p.keys, result, ...p.extra };
    if (p.cls === 'config' && cmd.fullname === 'config|set' && result === 'ok') {
      const cfg = this.server.config;
      fields.params = (p.extra!.params as Record<string, unknown>[]).map((x) => {
        const d = cfg.lookup(x.name as string);
        return { ...x, new: d === undefined ? null : d.sensitive ? REDACTED : truncate(cfg.show(d), MAX_VALUE_LEN) };
      });
    } else if (p.cls === 'acl' && result === 'ok') {
      if (cmd.fullname === 'acl|setuser') fields.new = this.describe(p.subject!);
      else if (cmd.fullname === 'acl|load') fields.new = this.allUsers();
    }
    this.emitForced(p.cls, p.event, fields);
  }

  private expand(fields: Record<string, unknown>): Record<string, unknown> {
    const { client, ...rest } = fields;
    return client === undefined ? rest : { ...this.identity(client as Session), ...rest };
  }

  /**
   * A record whose class was checked in `before`: it is written even if this very command
   * switched its class off (CONFIG SET audit-log-events), so the change that silences a class is
   * itself on file.
   */
  private emitForced(cls: AuditClass, event: string, fields: Record<string, unknown>): void {
    this.append(recordLine(Date.now(), cls, event, this.expand(fields)));
  }

  /* ---------------------------------------------------------------- INFO */

  infoLines(): [string, string | number][] {
    return [
      ['audit_enabled', 1],
      ['audit_sink', this.sink?.kind ?? (this.target === 'stdout' ? 'stdout' : this.target.startsWith('syslog:') ? 'syslog' : 'file')],
      ['audit_log_ok', this.failure === null ? 1 : 0],
      ['audit_events_written', this.written],
      ['audit_events_dropped', this.dropped],
      ['audit_write_errors', this.errors],
      ['audit_file_size', this.sink?.size ?? 0],
      ['audit_rotations', (this.sink as FileSink | null)?.rotations ?? 0],
    ];
  }
}

/** The audit_* INFO fields, for whichever section shows them (zeros while the log is off). */
export function auditInfoLines(log: AuditLog | null): [string, string | number][] {
  if (log !== null) return log.infoLines();
  return [['audit_enabled', 0], ['audit_sink', 'none'], ['audit_log_ok', 1], ['audit_events_written', 0], ['audit_events_dropped', 0],
    ['audit_write_errors', 0], ['audit_file_size', 0], ['audit_rotations', 0]];
}
