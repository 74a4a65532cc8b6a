/*
 * The server object and the request pipeline.
 *
 * `execute` is the one path every command takes, in one order (DESIGN.md §4):
 *   look up (after renames) → arity → authenticated? → ACL (command, keys, channels) →
 *   [rate limits: later issues] → state gates → execute → propagate → reply → account.
 * The ACL step costs nothing for a user with every permission (User.unrestricted), so the common
 * single-user deployment pays one property read per command.
 * Nothing a client sends can make it throw: a handler exception becomes an error reply and a
 * logged warning, never a crash.
 *
 * The server also owns the cached clock (read once per event-loop turn), the databases, the
 * connection registry, and the periodic cron (active expiry, stats) driven by `hz`.
 */

import { SnapshotRegistry } from '../persistence/snapshot';
import { PersistenceManager } from '../persistence/manager';
import { ReplicationState } from '../replication/state';
import type { ReplicaLink } from '../replication/link';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { ShutdownSequence, SHUTDOWN_WAITING } from './shutdown';
import * as fs from 'node:fs';
import { Database, type RObj } from '../data/keyspace';
import type { Command } from '../commands/table';
import type { Ctx, KeyWaiter, QueuedCommand, ServerView, Session, Stats } from '../commands/context';
import { BlockingRegistry } from './blocking';
import { PubSubRegistry } from './pubsub';
import { WatchRegistry } from './watch';
import { TrackingRegistry } from './tracking';
import type { ConfigRegistry } from '../config/registry';
import { buildCommandTable } from '../commands/index';
import { Connection } from '../net/connection';
import { Admission, unauthenticatedNetworkRefusal } from '../net/admission';
import { Logger } from './log';
import { certificateOnlyRefuses } from '../net/tls';
import { Listeners } from '../net/listener';
import { activeExpireCycle } from '../data/expire';
import { SlowLog } from './slowlog';
import { LatencyMonitor } from './latency';
import { LatencyHistogram } from './latency-histogram';
import { OomScore } from './oomscore';
import { clientInfoLine, monitorLine } from './clientinfo';
import { InfoState, infoString } from './info';
import { Acl, type AclDenial } from '../security/acl';
import type { User } from '../security/aclrules';
import { VerifiedCache } from '../security/passwords';
import { loadUsersAtStartup } from '../security/aclfile';
import { Evictor, OOM_ERROR } from './evict';
import { AuditLog, AUDIT_REFUSED, AUDIT_REFUSAL } from '../audit/log';
import { AuthGuard } from '../security/guard';
import { RateLimiter, type RateSpec } from '../security/ratelimit';

// eslint-disable-next-line @typescript-eslint/no-var-requires
export const REDOUBT_VERSION: string = require('../../../package.json').version;

export function newStats(now: number): Stats {
  return {
    keyspaceHits: 0, keyspaceMisses: 0, expiredKeys: 0, expiredStalePerc: 0, expiredTimeCapReachedCount: 0,
    expireCycleCpuMs: 0, evictedKeys: 0, totalCommands: 0, totalConnections: 0, rejectedConnections: 0,
    netInputBytes: 0, netOutputBytes: 0, totalErrorReplies: 0, unexpectedErrorReplies: 0,
    errorCounts: new Map(), totalReadsProcessed: 0, totalWritesProcessed: 0,
    clientQueryBufferLimitDisconnections: 0, clientOutputBufferLimitDisconnections: 0,
    aclDeniedAuth: 0, aclDeniedCmd: 0, aclDeniedKey: 0, aclDeniedChannel: 0, resetTime: now,
  };
}

export type WriteListener = (dbIndex: number, argv: string[]) => void;

export class Server implements ServerView {
  readonly dbs: Database[] = [];
  readonly commands: Map<string, Command>;
  /** upper-case aliases for the hot lookup path (clients send either case) */
  private readonly commandsUpper = new Map<string, Command>();
  readonly stats: Stats;
  readonly slowlog = new SlowLog();
  readonly latency = new LatencyMonitor();
  /** latency-tracking: every command run is recorded in its command's histogram */
  latencyTracking = true;
  /** oom-score-adj (src/server/oomscore.ts) */
  private readonly oomScore = new OomScore();
  readonly blocking = new BlockingRegistry(this);
  readonly pubsub = new PubSubRegistry(this);
  /** notify-keyspace-events classes in effect ('' = off), see notifyKeyspaceEvent */
  private notifyClasses = '';
  readonly watches = new WatchRegistry();
  /** running point-in-time snapshots (BGSAVE, AOF rewrite, full sync) and their copy-on-write hooks */
  readonly snapshots = new SnapshotRegistry(() => this.dbs);
  /** SAVE/BGSAVE state, save points, loading, MISCONF (src/persistence/manager.ts) */
  readonly persistence: PersistenceManager;
  /** client-side caching: tracking table, BCAST prefixes (src/server/tracking.ts) */
  readonly tracking = new TrackingRegistry(this);
  /** while EXEC runs: the writes to propagate as one block once it ends */
  private execPropagation: Array<[number, string[]]> | null = null;
  readonly logger = new Logger();
  readonly startTime = Date.now();
  readonly runId: string;
  readonly connections = new Map<number, Connection>();
  readonly monitors = new Set<Connection>();
  readonly writeListeners: WriteListener[] = [];
  /**
   * Whether each write listener would keep what it is fed right now (the AOF while it is on, the
   * replication backlog once it exists): `propagating` asks them, so a command can skip building a
   * form of itself that only the write stream would read (GEOADD's ZADD scores as text).
   */
  readonly propagationConsumers: Array<() => boolean> = [];
  /**
   * Runs before any reply leaves the process (set by the AOF while it is on): buffered writes reach
   * the file, and are fsync'd under appendfsync always, before their acknowledgements go out.
   */
  flushWrites: (() => void) | null = null;
  readonly listeners: Listeners;
  /** accept-time decisions and the source side of AUTH (src/net/admission.ts) */
  readonly admission: Admission;
  /** the persistent audit log (src/audit/log.ts); null while audit-log-file is empty */
  audit: AuditLog | null = null;
  /** AUTH brute-force delays and lockouts (src/security/guard.ts) */
  readonly guard: AuthGuard;
  /** per-user and per-connection command rates (src/security/ratelimit.ts) */
  readonly rateLimits = new RateLimiter(() => this.stats.resetTime);
  dirty = 0;
  /** DEBUG SET-ACTIVE-EXPIRE: when false the cron leaves expired keys to lazy expiry */
  activeExpireEnabled = true;
  /** replication role (HELLO, INFO); the replication layer switches it */
  role: 'master' | 'replica' = 'master';
  /** the link to our primary while this server is a replica (src/replication/link.ts) */
  primaryLink: ReplicaLink | null = null;
  /** true while a command received from the primary runs: its bytes are proxied, not re-encoded */
  applyingFromPrimary = false;
  /** replication IDs, offset, backlog, attached replicas (src/replication/state.ts) */
  readonly replication: ReplicationState;
  readonly infoState = new InfoState();
  readonly acl: Acl;
  /** maxmemory, eviction, used_memory, maxmemory-clients (src/server/evict.ts, memory.ts) */
  readonly evictor: Evictor;
  /** secrets already proven against slow (scrypt) hashes: later AUTHs skip the slow hash */
  readonly verified = new VerifiedCache();
  /** the connection whose command is running (DELUSER of one's own user closes after the reply) */
  private current: Connection | null = null;
  /**
   * The cached wall clock (ms), as Redis's server.mstime: read once per event-loop iteration by
   * the first read (`freshClock`), not per read — Date.now() is a runtime call (~55 ns here), and at
   * pipeline depth 1 there is one read per request. It is kept within a millisecond during a long
   * iteration: a command finishing more than 1 ms after the last reading refreshes it (`call`).
   */
  now = Date.now();
  /** performance.now() at the last updateClock */
  private clockMono = 0;
  /** set when an iteration's flush ran: the next read takes a new reading */
  private clockStale = true;
  lruClock = Math.floor(Date.now() / 1000);
  cronLoops = 0;
  nextClientId = 1;
  /* hot config values, kept current by config listeners */
  maxBulkLen = 512 * 1024 * 1024;
  queryBufferLimit = 1024 * 1024 * 1024;
  maxClients = 10000;
  /** client-output-buffer-limit per class: normal, replica, pubsub (bytes, bytes, seconds) */
  outputLimits: { hard: number; soft: number; seconds: number }[] = [];
  /** output size below which no limit can be exceeded, so the per-command check is skipped */
  outputCheckMin = 16 * 1024;
  /* CLIENT PAUSE state */
  pausedUntil = 0;
  pauseMode: 'all' | 'write' = 'all';
  private pauseTimer: NodeJS.Timeout | null = null;
  private cronTimer: NodeJS.Timeout | null = null;
  shuttingDown = false;
  /** SHUTDOWN's wait for replicas and its cancellation (src/server/shutdown.ts) */
  readonly shutdownSeq: ShutdownSequence = new ShutdownSequence(this);
  /** invoked once the process should exit (set by main) */
  onExit: (code: number) => void = (code) => process.exit(code);

  constructor(readonly config: ConfigRegistry) {
    this.stats = newStats(Date.now());
    this.runId = require('node:crypto').randomBytes(20).toString('hex');
    this.persistence = new PersistenceManager(this, () => this.execPropagation !== null);
    this.replication = new ReplicationState(this);
    // A key removed by its TTL is a write the AOF and replicas must see, as DEL (or UNLINK with
    // lazyfree-lazy-expire), exactly as Redis propagates expirations.
    const hooks = {
      onExpired: (db: Database, key: string) => {
        this.stats.expiredKeys++;
        this.notifyKeyspaceEvent('x', 'expired', key, db.id);
        this.watches.touch(db, key);
        this.tracking.keyModified(key, null);
        if (this.writeListeners.length !== 0) {
          const lazy = this.config.lookup('lazyfree-lazy-expire')?.value === true;
          this.propagate(db.id, [lazy ? 'UNLINK' : 'DEL', key]);
        }
      },
    };
    const n = config.get('databases') as number;
    for (let i = 0; i < n; i++) this.dbs.push(new Database(i, hooks));
    this.evictor = new Evictor(this);
    this.commands = buildCommandTable(config);
    for (const [k, c] of this.commands) this.commandsUpper.set(k.toUpperCase(), c);
    this.acl = new Acl({ commands: this.commands, config });
    this.acl.onUserChanged = (user, name, deleted) => this.userChanged(user, name, deleted);
    // requirepass is Redis's compatibility layer over the default user: `resetpass >pwd`, or
    // `resetpass nopass` when cleared (ACLUpdateDefaultUserPassword).
    // The `user` lines and the aclfile are applied later, at start(), so they override it.
    config.onChange('requirepass', (v: string | null) => this.acl.setDefaultPassword(v ? v : null));
    this.acl.warn = (msg) => this.log('notice', msg);
    config.onChange('proto-max-bulk-len', (v) => (this.maxBulkLen = v));
    config.onChange('client-query-buffer-limit', (v) => (this.queryBufferLimit = v));
    config.onChange('maxclients', (v) => (this.maxClients = v));
    config.onChange('client-output-buffer-limit', (v: { hard: bigint; soft: bigint; seconds: number }[]) => {
      this.outputLimits = v.map((l) => ({ hard: Number(l.hard), soft: Number(l.soft), seconds: l.seconds }));
      // 16 KB keeps the hot path cheap; smaller configured limits (and the 1 MB pre-auth cap) lower it
      this.outputCheckMin = Math.min(16 * 1024, ...this.outputLimits.flatMap((l) => [l.hard, l.soft]).filter((x) => x > 0).map((x) => x - 1));
    });
    config.onChange('loglevel', (v) => (this.logger.level = v));
    config.onChange('notify-keyspace-events', (v: string) => {
      this.notifyClasses = v;
      this.notifyKeyMiss = v.includes('m');
      const created = v.includes('n') ? this.keyCreated : null;
      for (const db of this.dbs) db.keyCreated = created;
    });
    config.onChange('tracking-table-max-keys', (v) => (this.tracking.maxKeys = Number(v)));
    config.onChange('slowlog-max-len', (v) => this.slowlog.setMaxLen(Number(v)));
    config.onChange('slowlog-log-slower-than', (v) => (this.slowlog.threshold = Number(v)));
    config.onChange('latency-monitor-threshold', (v) => (this.latency.threshold = Number(v)));
    config.onChange('latency-tracking', (v: boolean) => (this.latencyTracking = v));
    // a score the kernel refuses fails the CONFIG SET, as in Redis (at start-up it is only logged)
    const oomListener = () => {
      if (!this.applyOomScore() && this.started) throw new Error('Failed to set current oom_score_adj. Check server logs.');
    };
    config.onChange('oom-score-adj', oomListener);
    config.onChange('oom-score-adj-values', oomListener);
    // as Redis applies `hz` at once (the registry clamps it to 1..500); dynamic-hz adjusts it
    // again at the next cron tick
    config.onChange('hz', (v: number) => (this.hz = v));
    this.listeners = new Listeners(this);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.admission = new Admission({
      configValue: (name) => this.config.get(name),
      connectionCount: () => this.connections.size,
      get maxClients() { return self.maxClients; },
      defaultUser: () => this.defaultUser(),
      log: (level, msg) => this.log(level, msg),
      get now() { return self.now; },
      statsResetTime: () => this.stats.resetTime,
    });
    this.guard = new AuthGuard({
      configValue: (name) => this.config.get(name),
      get now() { return self.now; },
      log: (level, msg) => this.log(level, msg),
      statsResetTime: () => this.stats.resetTime,
    });
    config.onChange('auth-guard', (v) => { if (v !== true) this.guard.clear(); });
    config.onChange('connection-rate-limit', (v: RateSpec | null) => (this.rateLimits.perConnection = v));
    // Run time half of the start-up refusal: a password cannot be dropped, nor the port opened to
    // the network, while the other holds (ACL SETUSER is covered at accept time).
    for (const name of ['bind', 'port', 'requirepass']) {
      config.onChange(name, () => {
        if (!this.started) return;
        const why = this.unauthenticatedNetworkRefusal();
        if (why !== null) throw new Error(why);
      });
    }
  }

  private started = false;

  private unauthenticatedNetworkRefusal(): string | null {
    return unauthenticatedNetworkRefusal({
      bind: this.config.get('bind') as string[],
      tcpPorts: [this.config.get('port') as number, (this.config.lookup('tls-port')?.value as number | undefined) ?? 0],
      defaultUser: this.defaultUser(),
      allow: this.config.get('allow-unauthenticated-network') === true,
    });
  }

  updateClock(): void {
    this.now = Date.now();
    this.clockMono = performance.now();
    this.clockStale = false;
  }

  /**
   * The clock for a read: refreshed unless this event-loop iteration already did. A refresh makes
   * sure the iteration ends with a flush pass, which marks the reading stale again.
   */
  freshClock(): void {
    if (!this.clockStale) return;
    this.updateClock();
    this.scheduleFlushAll();
  }

  log(level: 'debug' | 'verbose' | 'notice' | 'warning', msg: string): void {
    this.logger.log(level, msg);
  }

  defaultUser(): User {
    return this.acl.getUser('default')!;
  }

  /**
   * Redis's authRequired(): sessions must prove credentials unless the default user is on, needs no
   * password (and, in Redoubt, has not expired). Evaluated on each use, so a session opened while
   * a password was required gets in once `requirepass ""` lifts it, as in Redis.
   */
  authRequired(): boolean {
    const d = this.defaultUser();
    return !d.enabled || !d.nopass || (d.expireAt !== null && d.expireAt <= this.now);
  }

  private expired(u: User): boolean {
    return u.expireAt !== null && u.expireAt <= Date.now();
  }

  /**
   * ACLAuthenticateUser: the user must exist, be on, not be expired (Redoubt), and either be nopass
   * or have a stored hash the password verifies against (constant time). SHA-256 hashes and
   * secrets already proven answer at once; otherwise scrypt runs on the thread pool and the answer
   * is a Promise — the calling session waits (Session.block), nobody else does.
   */
  authenticate(client: Session, username: string, password: string, via = 'AUTH'): boolean | Promise<boolean> {
    const conn = client as Connection;
    // the brute-force guard may delay the check (timer) or refuse it unchecked (src/security/guard.ts)
    return this.guard.attempt(this.guard.source(this.admission.source(conn.id), conn.addr), username, conn.multi === null,
      () => conn.closed, () => this.checkCredentials(conn, username, password, via), () => this.authFailed(conn, username, via));
  }

  private checkCredentials(conn: Connection, username: string, password: string, via: string): boolean | Promise<boolean> {
    const u = this.acl.getUser(username);
    if (u === undefined || !u.enabled || this.expired(u)) return this.authFailed(conn, username, via);
    // Redoubt's from: rule is checked before any password: the answer is the same WRONGPASS, so it
    // tells nothing about the password, and no slow hash runs for a refused source.
    if (u.from.length !== 0 && !this.admission.authAllowed(conn.id, u, conn.addr)) return this.authFailed(conn, username, via);
    // tls-auth-clients-user CN makes passwordless users certificate-only (redis/redis#14638)
    if (u.nopass) return certificateOnlyRefuses(this.config, conn.socket, u) ? this.authFailed(conn, username, via) : this.authSucceeded(conn, u);
    let slow: string[] | null = null;
    for (const stored of u.passwords) {
      const q = this.verified.quick(stored, password);
      if (q === true) return this.authSucceeded(conn, u);
      if (q === null) (slow ??= []).push(stored);
    }
    if (slow === null) return this.authFailed(conn, username, via);
    const pending = slow;
    return (async () => {
      for (const stored of pending) {
        if (!(await this.verified.verifyAsync(stored, password))) continue;
        // The user may have changed while scrypt ran: the proof counts only if the user still
        // holds that hash and may still log in.
        const now = this.acl.getUser(username);
        if (now !== undefined && now.enabled && !this.expired(now) && (now.nopass || now.passwords.includes(stored))) {
          return this.authSucceeded(conn, now);
        }
        break;
      }
      return this.authFailed(conn, username, via);
    })();
  }

  private authSucceeded(conn: Connection, u: User): true {
    conn.aclUser = u;
    conn.authenticated = true;
    if (this.audit !== null) this.audit.authResult(conn, u.name, true, conn.lastCommand === 'hello' ? 'hello' : 'auth');
    return true;
  }

  private authFailed(conn: Connection, username: string, via: string): false {
    this.stats.aclDeniedAuth++;
    if (this.audit !== null) this.audit.authResult(conn, username, false, via);
    // inside EXEC the entry's context is 'multi', as Redis's CLIENT_MULTI flag makes it
    this.acl.log.add({ reason: 'auth', context: conn.multi !== null ? 'multi' : 'toplevel', object: via, username, clientInfo: conn.infoLine() });
    return false;
  }

  reopenListeners(): Promise<string | null> {
    return this.listeners.reopen().then(
      () => null,
      (e: Error) => {
        this.log('warning', e.message);
        return e.message;
      },
    );
  }

  hasUser(name: string): boolean {
    return this.acl.getUser(name) !== undefined;
  }

  /**
   * After ACL SETUSER/DELUSER/LOAD: sessions follow their user's new object; a deleted user's
   * sessions are closed (the caller's own after its reply), as Redis does. `off` and password
   * changes leave open sessions alone, as in Redis.
   */
  private userChanged(user: User | undefined, name: string, deleted: boolean): void {
    for (const c of [...this.connections.values()]) {
      if (c.aclUser.name !== name) continue;
      if (deleted) {
        if (c === this.current) c.closeAfterReply();
        else c.close();
      } else if (user !== undefined) {
        c.aclUser = user;
      }
    }
    // subscribers whose user lost access to one of their channels or patterns are disconnected
    if (!deleted && user !== undefined && !user.selectors.some((s) => s.allChannels)) {
      // (as Redis's freeClientAsync: the running client too, without its reply)
      for (const c of this.pubsub.revoked(name, (ch, isPattern) => this.acl.checkChannel(user, ch, isPattern))) c.close();
    }
    if (!this.prunePending) {
      this.prunePending = true;
      queueMicrotask(() => {
        this.prunePending = false;
        const live = new Set<string>();
        for (const u of this.acl.users.values()) for (const p of u.passwords) live.add(p);
        this.verified.retain(live);
      });
    }
  }
  private prunePending = false;

  /** Redoubt's user expiry: sessions of a user past its `expireat` are closed by the cron. */
  private closeExpiredSessions(): void {
    let names: Set<string> | null = null;
    for (const u of this.acl.users.values()) {
      if (u.expireAt !== null && u.expireAt <= this.now) (names ??= new Set()).add(u.name);
    }
    if (names === null) return;
    for (const c of [...this.connections.values()]) {
      if (names.has(c.aclUser.name)) {
        this.log('verbose', `Closing client of expired user '${c.aclUser.name}': ${c.infoLine()}`);
        c.close();
      }
    }
  }

  infoString(sections: string[]): string {
    return infoString(this, this.infoState, sections);
  }

  lookupCommand(argv: string[]): Command | undefined {
    let cmd = this.commandsUpper.get(argv[0]) ?? this.commands.get(argv[0].toLowerCase());
    if (cmd !== undefined && cmd.subcommands !== undefined && argv.length >= 2) {
      cmd = cmd.subcommands.get(argv[1].toLowerCase());
    }
    return cmd;
  }

  /* ------------------------------------------------------------------ the pipeline */


  /**
   * CLIENT REPLY: OFF silences every reply, rejections included; SKIP silences the next command's,
   * as Redis's CLIENT_REPLY_SKIP_NEXT → CLIENT_REPLY_SKIP does (a CLIENT REPLY ON in the skipped
   * command still answers OK, since it clears the skip).
   */
  execute(conn: Connection, argv: string[]): void {
    // a command refused before it could be queued makes the transaction fail at EXEC (EXECABORT)
    conn.admitted = false;
    conn.resolved = undefined;
    const outBefore = conn.reply.out.length;
    if (conn.replyMode === 'on') this.dispatch(conn, argv);
    else {
      if (conn.replyMode === 'skip') {
        conn.replyMode = 'on';
        conn.replySkipping = true;
      }
      const before = conn.reply.out.length;
      this.dispatch(conn, argv);
      if ((conn.replySkipping || conn.replyMode === 'off') && conn.reply.out.length !== before) {
        conn.reply.out = conn.reply.out.slice(0, before);
      }
      // pushes (pub/sub) are not silenced: they were held aside while the command ran
      conn.reply.out += this.pubsub.takeSilenced(conn);
      conn.replySkipping = false;
    }
    // CLIENT CACHING lasts one command; the client's own invalidations follow its reply
    if (this.tracking.clientCount !== 0 || this.tracking.hasPending) {
      const ran = conn.resolved as Command | undefined;
      this.tracking.afterCommand(conn, ran?.name === 'client' && argv.length > 1 && ran.subcommands?.has(argv[1].toLowerCase()) === true);
    }
    if (!conn.admitted) {
      // (a cast: TypeScript cannot see that dispatch() set it)
      const resolved = conn.resolved as Command | undefined;
      if (resolved !== undefined && resolved.runsInMulti && resolved.name === 'exec') this.execRefused(conn, outBefore);
      else if (conn.multi !== null) conn.multiAborted = true;
    }
    // clients blocked on keys this command created are served before anything else runs
    if (this.blocking.hasReady) this.blocking.handleReady();
  }

  private lastAttackLog = -Infinity;

  /**
   * EXEC itself was refused (arity, ACL, ...): as Redis's execCommandAbort, the transaction is
   * discarded and the refusal is reported as an EXECABORT carrying the original reason.
   */
  private execRefused(conn: Connection, outBefore: number): void {
    this.discardTransaction(conn);
    const out = conn.reply.out;
    if (out.length <= outBefore || out.charCodeAt(outBefore) !== 45 /* - */) return;
    let reason = out.slice(outBefore + 1);
    if (reason.startsWith('ERR ')) reason = reason.slice(4);
    conn.reply.out = out.slice(0, outBefore) + '-EXECABORT Transaction discarded because of: ' + reason;
  }

  private dispatch(conn: Connection, argv: string[]): void {
    const reply = conn.reply;
    const name = argv[0];
    let cmd = this.commandsUpper.get(name) ?? this.commands.get(name.toLowerCase());
    conn.resolved = cmd;
    conn.lastInteraction = this.now;
    if (cmd === undefined) {
      const lower = name.toLowerCase();
      if (lower === 'post' || lower === 'host:') {
        // logged at most once a minute, as Redis does: the attack is a flood of the same line
        if (Math.abs(this.now - this.lastAttackLog) > 60000) {
          this.lastAttackLog = this.now;
          this.log('warning', 'Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.');
        }
        conn.close();
        return;
      }
      // Redis formats these with printf's %s, which stops at a NUL byte.
      const cstr = (s: string, max: number) => { const z = s.indexOf('\0'); return s.slice(0, z >= 0 && z < max ? z : max); };
      let args = '';
      for (let i = 1; i < argv.length && args.length < 128; i++) {
        args += `'${cstr(argv[i], 128 - args.length)}' `;
      }
      reply.error(`ERR unknown command '${cstr(name, 128)}', with args beginning with: ${args}`);
      return;
    }
    // a container with its own handler (COMMAND) runs it when called without a subcommand
    if (cmd.subcommands !== undefined && (argv.length > 1 || cmd.handler === undefined)) {
      if (argv.length === 1) {
        reply.error(`ERR wrong number of arguments for '${cmd.fullname}' command`);
        cmd.rejectedCalls++;
        return;
      }
      const sub = cmd.subcommands.get(argv[1].toLowerCase());
      if (sub === undefined) {
        reply.error(`ERR unknown subcommand '${argv[1].slice(0, 128)}'. Try ${cmd.name.toUpperCase()} HELP.`);
        cmd.rejectedCalls++;
        return;
      }
      cmd = sub;
    }
    const arity = cmd.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
      reply.error(`ERR wrong number of arguments for '${cmd.fullname}' command`);
      cmd.rejectedCalls++;
      return;
    }
    if (cmd.isAdmin && cmd.flags.has('protected')) {
      const denial = this.protectedDenial(conn, cmd);
      if (denial !== null) {
        reply.error(denial);
        if (this.audit !== null) this.audit.denied(conn, cmd, argv, 'protected-command', 'ERR');
        cmd.rejectedCalls++;
        return;
      }
    }
    if (conn.multi !== null && cmd.noMulti) {
      reply.error('ERR Command not allowed inside a transaction');
      cmd.rejectedCalls++;
      return;
    }
    if (!conn.authenticated && !cmd.noAuth && this.authRequired()) {
      reply.error('NOAUTH Authentication required.');
      if (this.audit !== null) this.audit.denied(conn, cmd, argv, 'noauth', 'NOAUTH');
      cmd.rejectedCalls++;
      return;
    }
    if (!conn.aclUser.unrestricted && !this.aclAdmits(conn, cmd, argv)) return;
    // maxmemory-clients, then maxmemory (processCommand's order); one number read when both are off
    if (this.evictor.clientLimit !== 0 && this.evictor.evictClients(conn)) return;
    if (this.evictor.maxmemory !== 0 && this.evictor.refuses(conn, cmd)) {
      reply.error(OOM_ERROR);
      cmd.rejectedCalls++;
      return;
    }
    if ((conn.aclUser.rate !== null || this.rateLimits.perConnection !== null) && !cmd.noAuth && !this.rateAdmits(conn, cmd, argv)) return;
    // tracking-table-max-keys is enforced before each command, as Redis's processCommand does
    if (this.tracking.clientCount !== 0) this.tracking.limitUsedSlots(conn);
    // persistence failing (a BGSAVE error with stop-writes-on-bgsave-error, AOF write errors):
    // writes, EXEC of a transaction holding writes, and PING are refused, as Redis's processCommand does
    // (the primary's link is exempt: a replica applies its primary's stream whatever its disk says)
    // a write, or an EXEC whose transaction holds one
    const writes = cmd.isWrite || (cmd.name === 'exec' && conn.multi !== null && conn.multi.some((q) => q.cmd.isWrite));
    if (conn.kind !== 'master' && (writes || cmd.name === 'ping')) {
      const diskError = this.persistence.diskError();
      if (diskError !== null) {
        reply.error(diskError);
        cmd.rejectedCalls++;
        return;
      }
    }
    // min-replicas-to-write: too few replicas acknowledged recently (src/replication/source.ts)
    if (writes && this.replication.source.notEnoughReplicas()) {
      reply.error('NOREPLICAS Not enough good replicas to write.');
      cmd.rejectedCalls++;
      return;
    }
    // a read-only replica refuses writes from everyone but its primary (src/replication/link.ts)
    if (this.primaryLink !== null) {
      const refusal = this.primaryLink.readOnlyRefusal(conn, cmd);
      if (refusal !== null) {
        reply.error(refusal);
        cmd.rejectedCalls++;
        return;
      }
    }
    // MONITOR turns a connection into a replica-like feed: Redis refuses it keyspace commands
    if ((conn.monitor || conn.kind === 'replica') && (cmd.isWrite || cmd.flags.has('readonly') || cmd.flags.has('may_replicate'))) {
      reply.error("ERR Replica can't interact with the keyspace");
      cmd.rejectedCalls++;
      return;
    }
    // RESP2 subscribed context: the connection only carries pushes and these few commands
    if (conn.kind === 'pubsub' && conn.resp === 2 && !SUBSCRIBED_CONTEXT.has((cmd.parent ?? cmd).name)) {
      reply.error(`ERR Can't execute '${cmd.fullname}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`);
      cmd.rejectedCalls++;
      return;
    }
    // replica-serve-stale-data no: while the link is down only `stale` commands run
    if (this.primaryLink !== null) {
      const refusal = this.primaryLink.staleRefusal(conn, cmd);
      if (refusal !== null) {
        reply.error(refusal);
        cmd.rejectedCalls++;
        return;
      }
    }
    conn.admitted = true;
    if (conn.multi !== null && !cmd.runsInMulti) {
      conn.multi.push({ cmd, argv });
      reply.simple('QUEUED');
      return;
    }
    this.call(conn, cmd, argv);
  }

  /**
   * The ACL step for a user without every permission. Redis exempts the no_auth commands (AUTH,
   * HELLO, QUIT, RESET) from ACL checks, which makes a `-auth` rule ineffective (valkey#3286).
   * Redoubt keeps the exemption before authentication, but a session that is already in may
   * switch identity (AUTH, HELLO ... AUTH) only if its user is allowed `auth` (and `hello`).
   */
  private aclAdmits(conn: Connection, cmd: Command, argv: string[]): boolean {
    const user = conn.aclUser;
    let denial: AclDenial | null;
    if (cmd.noAuth) {
      const reauth = cmd.name === 'auth' || (cmd.name === 'hello' && helloAuthenticates(argv));
      if (!reauth || (!conn.authenticated && this.authRequired())) return true;
      denial = this.acl.check(user, cmd, argv);
      if (denial === null && cmd.name === 'hello') denial = this.acl.check(user, this.commands.get('auth')!, ['auth']);
    } else {
      denial = this.acl.check(user, cmd, argv);
    }
    if (denial === null) return true;
    // CLIENT LIST and the log entry show the refused command, as Redis's lastcmd does
    conn.lastCommand = cmd.fullname;
    let msg: string;
    if (denial.reason === 'command') {
      this.stats.aclDeniedCmd++;
      msg = `NOPERM this user has no permissions to run the '${denial.object}' command`;
    } else if (denial.reason === 'key') {
      this.stats.aclDeniedKey++;
      msg = 'NOPERM this user has no permissions to access one of the keys used as arguments';
    } else {
      this.stats.aclDeniedChannel++;
      msg = 'NOPERM this user has no permissions to access one of the channels used as arguments';
    }
    this.acl.log.add({ reason: denial.reason, context: conn.multi !== null ? 'multi' : 'toplevel', object: denial.object, username: user.name, clientInfo: conn.infoLine() });
    conn.reply.error(msg);
    if (this.audit !== null) this.audit.denied(conn, cmd, argv, `noperm-${denial.reason}`, 'NOPERM');
    cmd.rejectedCalls++;
    return false;
  }

  /** The rate-limit step: a refused command answers RATELIMITED and is logged in ACL LOG. */
  private rateAdmits(conn: Connection, cmd: Command, argv: string[]): boolean {
    const refusal = this.rateLimits.check(conn, this.now);
    if (refusal === null) return true;
    conn.lastCommand = cmd.fullname;
    this.acl.log.add({ reason: 'ratelimit', context: conn.multi !== null ? 'multi' : 'toplevel', object: cmd.fullname, username: conn.aclUser.name, clientInfo: conn.infoLine() });
    if (this.audit !== null) this.audit.denied(conn, cmd, argv, 'ratelimit', refusal);
    conn.reply.error(refusal);
    cmd.rejectedCalls++;
    return false;
  }

  /** DEBUG and MODULE run only where enable-debug-command / enable-module-command allow them. */
  private protectedDenial(conn: Connection, cmd: Command): string | null {
    const isDebug = (cmd.parent ?? cmd).name === 'debug';
    const directive = isDebug ? 'enable-debug-command' : 'enable-module-command';
    const setting = this.config.lookup(directive)?.value;
    if (setting === 'yes' || (setting === 'local' && conn.local)) return null;
    return `ERR ${isDebug ? 'DEBUG' : 'MODULE'} command not allowed. If the ${directive} option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`;
  }

  /** Runs a resolved, admitted command: execute → propagate → account. */
  call(conn: Connection, cmd: Command, argv: string[]): void {
    let ctx = conn.ctx as Ctx | null;
    if (ctx === null) {
      ctx = { argv, cmd, client: conn, db: this.dbs[conn.dbIndex], reply: conn.reply, server: this, now: this.now, propagateAs: null };
      conn.ctx = ctx;
    } else {
      ctx.argv = argv;
      ctx.cmd = cmd;
      ctx.db = this.dbs[conn.dbIndex];
      ctx.now = this.now;
      ctx.propagateAs = null;
    }
    const reply = conn.reply;
    const errorsBefore = this.stats.totalErrorReplies;
    const dirtyBefore = this.dirty;
    const dbIndex = conn.dbIndex;
    // set before running, so CLIENT LIST/INFO show the command in progress as Redis does
    conn.lastCommand = cmd.fullname;
    // performance.now(): the cheapest monotonic clock here (no BigInt per call)
    const t0 = performance.now();
    // audit-log-on-error refuse: nothing that must be audited runs while the log cannot be written
    const audit = this.audit;
    const audited = audit === null ? null : audit.before(conn, cmd, argv);
    if (audited === AUDIT_REFUSED) {
      reply.error(AUDIT_REFUSAL);
      cmd.rejectedCalls++;
      return;
    }
    const outer = this.current;
    this.current = conn;
    if (this.notifyKeyMiss) this.notifyKeyMisses(dbIndex, cmd, argv, true);
    if (this.snapshots.size !== 0 && cmd.flags.has('write')) this.beforeWrite(ctx.db, cmd, argv);
    try {
      cmd.handler!(ctx);
    } catch (e) {
      this.log('warning', `Command '${cmd.fullname}' raised an internal error: ${(e as Error)?.stack ?? e}`);
      reply.error('ERR internal error while executing the command');
    }
    this.current = outer;
    // client-side caching: a tracking client's reads are remembered (Redis's trackingRememberKeys)
    if (this.tracking.clientCount !== 0 && cmd.flags.has('readonly')) this.tracking.rememberKeys(conn, cmd, argv);
    if (this.notifyKeyMiss && this.stats.totalErrorReplies === errorsBefore) this.notifyKeyMisses(dbIndex, cmd, argv, false);
    const t1 = performance.now();
    const usec = (t1 - t0) * 1000;
    if (t1 - this.clockMono > 1) this.updateClock();
    cmd.calls++;
    cmd.usec += usec;
    if (this.latencyTracking) (cmd.latency ??= new LatencyHistogram()).record(usec * 1000);
    this.stats.totalCommands++;
    if (this.stats.totalErrorReplies > errorsBefore) cmd.failedCalls++;
    if (this.dirty !== dirtyBefore && this.writeListeners.length !== 0) {
      if (ctx.propagateAs === null) this.propagate(dbIndex, argv);
      else for (const a of ctx.propagateAs) this.propagate(dbIndex, a);
    }
    // MONITOR and SLOWLOG see ctx.argv: the handler may have redacted secrets in it. Like Redis,
    // MONITOR shows a command after it ran (with the db it left selected), and never admin ones.
    if (this.monitors.size !== 0 && !cmd.skipMonitor && !cmd.isAdmin) this.feedMonitors(conn, ctx.argv);
    if (!cmd.skipSlowlog) this.slowlog.consider(this, conn, ctx.argv, usec);
    // the latency monitor: Redis samples every command run, as 'fast-command' for the fast ones
    if (this.latency.on) this.latencySample(cmd.flags.has('fast') ? 'fast-command' : 'command', usec / 1000);
    if (audited !== null) audit!.after(conn, cmd, ctx.argv, audited);
  }

  /** Copy-on-write for running snapshots: the keys a write command names may change in place. */
  beforeWrite(db: Database, cmd: Command, argv: string[]): void {
    if (this.snapshots.size === 0) return;
    this.snapshots.beforeWrite(db, cmd.getKeys(argv).map((k) => argv[k.index]));
  }

  blockOnKeys(ctx: Ctx, keys: string[], deadline: number, waiter: KeyWaiter): void {
    this.blocking.block(ctx, keys, deadline, waiter);
  }

  keysMayBeReady(db: Database): void {
    this.blocking.scanDatabase(db);
  }

  unblockClient(id: number, withError: boolean): boolean {
    const c = this.connections.get(id);
    return c !== undefined && (this.blocking.unblockByRequest(c, withError) || this.replication.source.unblockWait(c, withError));
  }

  /** oom-score-adj for the current role (also called when the role changes); false if refused. */
  applyOomScore(): boolean {
    const c = this.config;
    return this.oomScore.apply(String(c.get('oom-score-adj')), c.get('oom-score-adj-values') as number[], this.primaryLink !== null, (msg) => this.log('warning', msg));
  }

  /**
   * A latency-monitor sample: `event` took `ms` milliseconds (kept when at least
   * latency-monitor-threshold). Callers measure only while `latency.on`.
   */
  latencySample(event: string, ms: number): void {
    this.latency.addIfNeeded(event, ms, Math.floor(Date.now() / 1000));
  }

  signalModifiedKey(db: Database, key: string, o?: RObj): void {
    db.remeasure(key, o);
    this.watches.touch(db, key);
    this.tracking.keyModified(key, this.current);
  }

  /* ------------------------------------------------------------------ MULTI / EXEC / WATCH */

  watchKey(client: Session, db: Database, key: string): void {
    this.watches.watch(client as Connection, db, key, this.now);
  }

  unwatchAll(client: Session): void {
    this.watches.unwatchAll(client as Connection);
  }

  watchedKeyExpired(client: Session): boolean {
    return this.watches.anyExpiredSinceWatch(client as Connection, this.now);
  }

  touchAllWatchedKeysInDb(db: Database, replacement?: Database): void {
    this.watches.touchAllInDb(db, replacement);
  }

  /** Leaves MULTI and forgets watched keys (DISCARD, EXEC, RESET). */
  discardTransaction(conn: Session): void {
    conn.multi = null;
    conn.multiAborted = false;
    conn.dirtyCas = false;
    this.watches.unwatchAll(conn as Connection);
  }

  runQueued(ctx: Ctx, queued: QueuedCommand[]): void {
    const conn = ctx.client as Connection;
    const { argv, cmd } = ctx;
    const outerPropagation = this.execPropagation;
    const propagation: Array<[number, string[]]> = [];
    this.execPropagation = propagation;
    conn.denyBlocking = true;
    conn.reply.array(queued.length);
    for (const q of queued) {
      // permissions may have changed since the command was queued
      if (!conn.aclUser.unrestricted) {
        const denial = this.acl.check(conn.aclUser, q.cmd, q.argv);
        if (denial !== null) {
          this.acl.log.add({ reason: denial.reason, context: 'multi', object: denial.object, username: conn.aclUser.name, clientInfo: conn.infoLine() });
          conn.reply.error(`NOPERM ${EXEC_DENIAL[denial.reason]}`);
          continue;
        }
      }
      this.call(conn, q.cmd, q.argv);
    }
    conn.denyBlocking = false;
    this.execPropagation = outerPropagation;
    // the queued calls reused this session's context: give EXEC its own back
    ctx.argv = argv;
    ctx.cmd = cmd;
    ctx.db = this.dbs[conn.dbIndex];
    ctx.propagateAs = [];
    // one write needs no wrapping; several reach AOF and replicas as one MULTI ... EXEC block
    if (propagation.length > 1) this.propagate(propagation[0][0], ['MULTI']);
    for (const [db, a] of propagation) this.propagate(db, a);
    if (propagation.length > 1) this.propagate(propagation[propagation.length - 1][0], ['EXEC']);
  }

  /**
   * Redis's notifyKeyspaceEvent: when the event's class is enabled, publishes
   * `__keyspace@<db>__:<key>` -> event (K) and `__keyevent@<db>__:<event>` -> key (E).
   */
  notifyKeyspaceEvent(cls: string, event: string, key: string, dbIndex: number): void {
    const on = this.notifyClasses;
    if (on === '' || !on.includes(cls)) return;
    if (on.includes('K')) this.pubsub.publish('channel', `__keyspace@${dbIndex}__:${key}`, event);
    if (on.includes('E')) this.pubsub.publish('channel', `__keyevent@${dbIndex}__:${event}`, key);
  }

  private readonly keyCreated = (db: Database, key: string): void => this.notifyKeyspaceEvent('n', 'new', key, db.id);

  /** notify-keyspace-events contains 'm' */
  private notifyKeyMiss = false;

  /**
   * The 'keymiss' events of a command that ran without error: Redis emits one from every read
   * lookup (lookupKeyRead) that finds nothing, in key order, duplicates included. Read lookups
   * are the keys whose spec says RO, and those of READ_LOOKUP_WRITERS; OBJECT looks its key up
   * without notifying.
   */
  private notifyKeyMisses(dbIndex: number, cmd: Command, argv: string[], beforeRun: boolean): void {
    if (cmd.parent?.name === 'object' || cmd.keys.length === 0) return;
    // commands whose key spec says RW but which look the key up for reading, as a GET would; they
    // may create the key, so their misses are found (and reported, as Redis does at lookup time)
    // before they run
    const reader = READ_LOOKUP_WRITERS.has(cmd.name) || (cmd.name === 'set' && argv.some((a, i) => i > 2 && a.length === 3 && a.toLowerCase() === 'get'));
    if (reader !== beforeRun) return;
    const db = this.dbs[dbIndex];
    for (const k of cmd.getKeys(argv)) {
      const key = argv[k.index];
      if ((reader || k.flags.includes('RO')) && (!db.dict.has(key) || db.isExpired(key, this.now))) this.notifyKeyspaceEvent('m', 'keymiss', key, dbIndex);
    }
  }

  /** The session whose command is running (pub/sub holds its pushes aside while it is silenced). */
  runningSession(): Connection | null {
    return this.current;
  }

  propagate(dbIndex: number, argv: string[]): void {
    if (this.execPropagation !== null) {
      this.execPropagation.push([dbIndex, argv]);
      return;
    }
    for (const l of this.writeListeners) l(dbIndex, argv);
  }

  countError(msg: string): void {
    this.stats.totalErrorReplies++;
    const sp = msg.indexOf(' ');
    const code = sp < 0 ? msg : msg.slice(0, sp);
    // Redis caps the number of distinct error codes it tracks at 128
    const m = this.stats.errorCounts;
    const cur = m.get(code);
    if (cur !== undefined) m.set(code, cur + 1);
    else if (m.size < 128) m.set(code, 1);
  }

  /* ------------------------------------------------------------------ pause */

  /** True if this command must wait (CLIENT PAUSE in effect). */
  mustWait(conn: Connection, argv: string[]): boolean {
    const shutdownPause = this.shutdownSeq.waiting;
    if (this.pausedUntil === 0 && !shutdownPause) return false;
    // the primary's link, replicas, and monitors (replicas to Redis) are never paused
    if (conn.kind === 'master' || conn.kind === 'replica' || conn.monitor) return false;
    // a shutdown waiting for replicas pauses writes, a CLIENT PAUSE what its mode says
    let all = false;
    if (this.pausedUntil !== 0) {
      if (this.now >= this.pausedUntil) {
        this.unpause();
        if (!shutdownPause) return false;
      } else all = this.pauseMode === 'all';
    }
    // commands the pipeline rejects (unknown, arity, authentication) are answered at once
    const cmd = this.lookupCommand(argv);
    if (cmd === undefined || cmd.handler === undefined) return false;
    if ((cmd.arity > 0 && argv.length !== cmd.arity) || argv.length < -cmd.arity) return false;
    if (!conn.authenticated && !cmd.noAuth && this.authRequired()) return false;
    if (!cmd.noAuth && !conn.aclUser.unrestricted && this.acl.check(conn.aclUser, cmd, argv) !== null) return false;
    if (all) return true;
    // WRITE pause: writes and commands that may replicate (EVAL, PUBLISH...) wait
    return cmd.isWrite || cmd.flags.has('may_replicate');
  }

  pause(untilMs: number, mode: 'all' | 'write'): void {
    // A new pause never shortens an existing one nor weakens ALL to WRITE (Redis semantics).
    if (this.pausedUntil !== 0 && this.pauseMode === 'all' && mode === 'write') mode = 'all';
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
    this.pauseMode = mode;
    this.armPauseTimer();
  }

  /** setTimeout caps delays at 2^31-1 ms: long pauses re-arm until their end. */
  private armPauseTimer(): void {
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    const left = this.pausedUntil - Date.now();
    this.pauseTimer = setTimeout(() => {
      if (this.pausedUntil !== 0 && Date.now() < this.pausedUntil) this.armPauseTimer();
      else this.unpause();
    }, Math.min(Math.max(0, left), 2147483647));
  }

  unpause(): void {
    this.pausedUntil = 0;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    this.resumeWaiting();
  }

  /* ------------------------------------------------------------------ connections */

  sessions(): Iterable<Session> {
    return this.connections.values();
  }

  accept(socket: net.Socket, isUnix: boolean): void {
    this.updateClock();
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    // Decided on the accepted (paused) socket, before a Connection adopts its handle.
    const refusal = this.admission.decide(socket, isUnix);
    if (refusal !== null) {
      this.stats.rejectedConnections++;
      if (this.audit !== null) this.audit.connectionRefused(isUnix ? 'unix' : `${socket.remoteAddress}:${socket.remotePort}`, isUnix ? 'unix' : `${socket.localAddress}:${socket.localPort}`, refusal.reason);
      if (refusal.reply !== null) socket.end(refusal.reply);
      else socket.destroy();
      return;
    }
    const conn = new Connection(socket, this, this.nextClientId++, isUnix);
    this.admission.opened(conn.id, socket, isUnix);
    this.connections.set(conn.id, conn);
    this.stats.totalConnections++;
    if (this.audit !== null) this.audit.connectionAccepted(conn);
  }

  private flushQueue: Connection[] = [];

  /** Writes queued replies after this event-loop turn's I/O callbacks (see Connection.scheduleFlush). */
  queueFlush(conn: Connection): void {
    this.scheduleFlushAll();
    this.flushQueue.push(conn);
  }

  /** Makes sure one flushAll runs after this iteration's I/O callbacks. */
  private scheduleFlushAll(): void {
    if (this.flushPending) return;
    this.flushPending = true;
    setImmediate(this.flushAll);
  }

  /** a flushAll is scheduled (setImmediate) and has not run yet */
  private flushPending = false;

  private readonly flushAll = (): void => {
    this.flushPending = false;
    const q = this.flushQueue;
    this.flushQueue = [];
    for (const c of q) {
      c.flushScheduled = false;
      c.flush();
    }
    // the next read is in a later iteration: it takes a new reading
    this.clockStale = true;
    if (this.afterFlush.length !== 0) {
      const waiting = this.afterFlush;
      this.afterFlush = [];
      for (const f of waiting) f();
    }
  };

  /** background work (snapshot slices) waiting for the replies of this turn to be written */
  private afterFlush: Array<() => void> = [];

  /**
   * Runs `cb` once the replies queued in this turn are written, and says true; false (and `cb` not
   * kept) when none are queued. A snapshot slice must not run between the commands of a turn and
   * their replies, or every client would wait for it.
   */
  afterPendingReplies(cb: () => void): boolean {
    if (this.flushQueue.length === 0) return false;
    this.afterFlush.push(cb);
    return true;
  }

  removeConnection(conn: Connection): void {
    this.blocking.remove(conn);
    this.pubsub.dropAll(conn);
    this.watches.unwatchAll(conn);
    this.tracking.disable(conn);
    if (this.audit !== null && this.connections.has(conn.id)) this.audit.connectionClosed(conn);
    this.connections.delete(conn.id);
    this.admission.closed(conn.id);
    this.monitors.delete(conn);
    this.evictor.clientClosed(conn);
  }

  killSession(id: number): boolean {
    const c = this.connections.get(id);
    if (!c) return false;
    c.flush();
    c.close();
    return true;
  }

  addMonitor(conn: Connection): void {
    this.monitors.add(conn);
  }

  private feedMonitors(conn: Connection, argv: string[]): void {
    const line = monitorLine(this, conn, argv);
    for (const m of this.monitors) {
      m.reply.raw(line);
      m.scheduleFlush();
    }
  }

  clientInfoLine(conn: Connection): string {
    return clientInfoLine(this, conn);
  }

  resetSession(conn: Connection): void {
    this.pubsub.dropAll(conn);
    this.tracking.disable(conn);
    this.discardTransaction(conn);
    conn.dbIndex = 0;
    conn.resp = 2;
    conn.name = '';
    conn.replyMode = 'on';
    // CLIENT NO-EVICT survives RESET in Redis 7.0
    if (conn.monitor) {
      conn.monitor = false;
      conn.kind = 'normal';
      this.monitors.delete(conn);
    }
    conn.aclUser = this.defaultUser();
    conn.authenticated = !this.authRequired();
  }

  /* ------------------------------------------------------------------ lifecycle */

  async start(): Promise<void> {
    const aclErrors = loadUsersAtStartup(this.acl, this.config);
    if (aclErrors !== null) {
      for (const line of aclErrors.slice(0, -1)) this.log('warning', line);
      throw new Error(aclErrors[aclErrors.length - 1]);
    }
    const refusal = this.unauthenticatedNetworkRefusal();
    if (refusal !== null) throw new Error(refusal);
    // before the listeners: the first connection is already on file
    this.audit = AuditLog.open(this);
    await this.listeners.open();
    this.started = true;
    this.scheduleCron();
  }

  /**
   * The cron's frequency: `hz`, doubled (up to 500) while there are more than 200 connections per
   * tick when dynamic-hz is on, as Redis's serverCron adapts it (INFO shows it as `hz`, the
   * directive as `configured_hz`). Recomputed before each tick.
   */
  hz = 10;

  private scheduleCron(): void {
    let hz = this.config.get('hz') as number;
    if (this.config.get('dynamic-hz') === true) {
      while (this.connections.size / hz > 200) {
        hz *= 2;
        if (hz > 500) {
          hz = 500;
          break;
        }
      }
    }
    this.hz = hz;
    this.cronTimer = setTimeout(() => {
      this.cron();
      this.scheduleCron();
    }, 1000 / hz);
    this.cronTimer.unref();
  }

  /** serverCron: clock, active expiry, client timeouts. */
  cron(): void {
    this.updateClock();
    this.lruClock = this.evictor.accessClock(this.now);
    this.evictor.cron();
    this.cronLoops++;
    // a replica leaves expiry to its primary, whose DELs arrive in the stream; a shutdown waiting
    // for replicas deletes nothing (the stream must stop growing, as under a write pause)
    if (this.primaryLink === null && !this.shutdownSeq.waiting) activeExpireCycle(this);
    // tracking-table-max-keys also applies while idle (after a CONFIG SET lowered it)
    if (this.tracking.clientCount !== 0) this.tracking.limitUsedSlots(null);
    this.closeExpiredSessions();
    this.admission.sweep();
    this.guard.sweep();
    this.closeAuthTimeouts();
    this.infoState.sample(this);
    this.persistence.cron(this.now);
    this.replication.cron(this.now);
    this.shutdownSeq.cron();
    const timeout = this.config.get('timeout') as number;
    if (timeout > 0) {
      for (const c of [...this.connections.values()]) {
        if (c.kind === 'normal' && !c.monitor && this.now - c.lastInteraction > timeout * 1000) {
          this.log('verbose', 'Closing idle client');
          c.close();
        }
      }
    }
  }

  /**
   * auth-timeout: a connection that has not authenticated within it is closed, so idle
   * unauthenticated sockets (and clients trickling a request a byte at a time) cannot hold slots.
   * Applies only while authentication is required; `timeout` still governs everyone else.
   */
  private closeAuthTimeouts(): void {
    const limit = (this.config.get('auth-timeout') as number) * 1000;
    if (limit <= 0 || !this.authRequired()) return;
    for (const c of [...this.connections.values()]) {
      if (!c.authenticated && c.kind === 'normal' && this.now - c.createdAt > limit) {
        this.admission.countAuthTimeout();
        this.admission.rateLimitedLog('auth-timeout', `Closing client that did not authenticate within auth-timeout: ${c.infoLine()}`);
        c.close();
      }
    }
  }

  /**
   * SHUTDOWN and the signals: null when the process exits or the shutdown waits for replicas
   * (`waiter` then hears of a cancellation), else the reply ('OK' for a successful ABORT).
   */
  shutdown(opts: { save?: boolean; nosave?: boolean; now?: boolean; force?: boolean; abort?: boolean }, waiter?: (error: string) => void): string | null {
    if (opts.abort) return this.shutdownSeq.abort() ? 'OK' : 'ERR No shutdown in progress.';
    const r = this.shutdownSeq.begin(opts, waiter);
    return r === SHUTDOWN_WAITING ? null : r;
  }

  /** True from the start of a shutdown (waiting for replicas included) until it is cancelled. */
  get shutdownUnderWay(): boolean {
    return this.shuttingDown || this.shutdownSeq.waiting;
  }

  get propagating(): boolean {
    for (const active of this.propagationConsumers) if (active()) return true;
    return false;
  }

  get shutdownWaiting(): boolean {
    return this.shutdownSeq.waiting;
  }

  /** Connections whose commands waited for a pause that ended run again. */
  resumeWaiting(): void {
    this.updateClock();
    for (const c of [...this.connections.values()]) if (c.pending.length > 0 || c.socket.isPaused()) c.resume();
  }

  /** Closes listeners and connections, removes the pid file, exits. */
  finishShutdown(code: number): void {
    this.shuttingDown = true;
    if (this.cronTimer) clearTimeout(this.cronTimer);
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.listeners.close();
    for (const c of [...this.connections.values()]) c.close();
    const pidfile = this.config.get('pidfile') as string;
    if (pidfile) {
      this.log('notice', 'Removing the pid file.');
      try { fs.unlinkSync(pidfile); } catch { /* already gone */ }
    }
    this.audit?.close();
    this.log('warning', 'Redoubt is now ready to exit, bye bye...');
    this.logger.close();
    this.onExit(code);
  }
}


/** Commands a RESP2 connection may run while it has subscriptions (Redis's pub/sub context). */
const SUBSCRIBED_CONTEXT = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);

/** True if this HELLO carries an AUTH option that would authenticate (same walk as the handler). */
/** Write commands that look their key up as a read (lookupKeyRead), so a miss is a 'keymiss'. */
const READ_LOOKUP_WRITERS = new Set(['pfcount', 'pfmerge', 'getdel', 'getex', 'getset']);

/** Why EXEC refuses a queued command whose permission was revoked after it was queued. */
const EXEC_DENIAL_PREFIX = 'ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ';
const EXEC_DENIAL: Record<AclDenial['reason'], string> = {
  command: EXEC_DENIAL_PREFIX + 'no permission to execute the command or subcommand',
  key: EXEC_DENIAL_PREFIX + 'no permission to touch the specified keys',
  channel: EXEC_DENIAL_PREFIX + 'no permission to access one of the channels used as arguments',
};

function helloAuthenticates(argv: string[]): boolean {
  for (let j = 2; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j].toLowerCase();
    if (opt === 'auth' && more >= 2) return true;
    if (opt === 'setname' && more >= 1) j++;
    else return false;
  }
  return false;
}
