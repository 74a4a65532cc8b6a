/*
 * What a command handler sees: the arguments, the calling session, its database, a reply writer and
 * a narrow view of the server. Handlers never touch sockets (DESIGN.md §2): everything they may do
 * to the world outside the keyspace goes through `ServerView` and `Session`, which the server layer
 * implements.
 */

import type { Reply } from '../protocol/reply';
import type { Database, RObj } from '../data/keyspace';
import type { Command } from './table';
import type { ConfigRegistry } from '../config/registry';
import type { Acl } from '../security/acl';
import type { PersistenceManager } from '../persistence/manager';
import type { LatencyMonitor } from '../server/latency';

/** The calling connection as commands see it. */
export interface Session {
  readonly id: number;
  name: string;
  /** protocol version 2 or 3 */
  resp: 2 | 3;
  /** selected database index */
  dbIndex: number;
  /** CLIENT REPLY mode; 'skip' means the next command's reply is dropped */
  replyMode: 'on' | 'off' | 'skip';
  /** true while running a command whose reply CLIENT REPLY SKIP drops */
  replySkipping: boolean;
  /** CLIENT NO-EVICT */
  noEvict: boolean;
  /** name of the ACL user the session runs as ('default' until AUTH says otherwise) */
  readonly user: string;
  authenticated: boolean;
  /** 'normal' | 'master' | 'replica' | 'pubsub' */
  readonly kind: string;
  /** connected over loopback or the Unix socket (enable-*-command / enable-protected-configs local) */
  readonly local?: boolean;
  /** peer and local address as CLIENT LIST shows them ('ip:port', or '<path>:0' for unix sockets) */
  readonly addr: string;
  readonly laddr: string;
  /** the commands queued since MULTI, or null outside a transaction */
  multi: QueuedCommand[] | null;
  /** a command was refused while queueing: EXEC answers EXECABORT (Redis's CLIENT_DIRTY_EXEC) */
  multiAborted: boolean;
  /** a watched key changed: EXEC answers a null array (Redis's CLIENT_DIRTY_CAS) */
  dirtyCas: boolean;
  /** CLIENT LIST / CLIENT INFO line for this session */
  infoLine(): string;
  /** Close after flushing pending replies (QUIT). */
  closeAfterReply(): void;
  /** Turn this connection into a MONITOR. */
  startMonitor(): void;
  /** RESET: back to a fresh connection state */
  reset(): void;
  /**
   * Holds this session's later input until `wait` settles, then runs `then` to write the reply
   * (AUTH while a slow password hash is checked off the event loop).
   */
  block<T>(wait: Promise<T>, then: (v: T) => void): void;
}

/** A command queued by MULTI, already resolved and admitted. */
export interface QueuedCommand {
  cmd: Command;
  argv: string[];
}

/** Runtime counters shown by INFO stats and reset by CONFIG RESETSTAT. */
export interface Stats {
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredKeys: number;
  expiredStalePerc: number;
  expiredTimeCapReachedCount: number;
  expireCycleCpuMs: number;
  evictedKeys: number;
  totalCommands: number;
  totalConnections: number;
  rejectedConnections: number;
  netInputBytes: number;
  netOutputBytes: number;
  totalErrorReplies: number;
  unexpectedErrorReplies: number;
  /** error prefix ('ERR', 'WRONGTYPE', ...) -> count, for INFO errorstats */
  errorCounts: Map<string, number>;
  totalReadsProcessed: number;
  totalWritesProcessed: number;
  clientQueryBufferLimitDisconnections: number;
  clientOutputBufferLimitDisconnections: number;
  /** refusals by cause (Redis 7.2's INFO acl_access_denied_auth|cmd|key|channel) */
  aclDeniedAuth: number;
  aclDeniedCmd: number;
  aclDeniedKey: number;
  aclDeniedChannel: number;
  resetTime: number;
}

export interface ServerView {
  readonly dbs: Database[];
  readonly config: ConfigRegistry;
  readonly stats: Stats;
  /** number of changes since the last save (INFO rdb_changes_since_last_save) */
  dirty: number;
  /** something consumes the executed write commands (AOF, replicas): ctx.propagateAs is read */
  readonly propagating: boolean;
  /** cached unix time in ms for this event-loop turn */
  readonly now: number;
  /** LRU clock in seconds, for OBJECT IDLETIME */
  readonly lruClock: number;
  /** the command table (after renames) */
  readonly commands: Map<string, Command>;
  /** look up a command or subcommand by argv (lower-cased internally) */
  lookupCommand(argv: string[]): Command | undefined;
  /** All live sessions, in id order. */
  sessions(): Iterable<Session>;
  /** Close a session by id (CLIENT KILL). Returns false if not found. */
  killSession(id: number): boolean;
  /** CLIENT PAUSE / UNPAUSE */
  pause(untilMs: number, mode: 'all' | 'write'): void;
  unpause(): void;
  /**
   * Shut down the server (src/server/shutdown.ts). Returns the reply: an error text if refused
   * (e.g. SAVE failed), 'OK' for an ABORT that cancelled; null when the process exits or the
   * shutdown waits for replicas, `waiter` then hearing the error if it is cancelled.
   */
  shutdown(opts: { save?: boolean; nosave?: boolean; now?: boolean; force?: boolean; abort?: boolean }, waiter?: (error: string) => void): string | null;
  /** a shutdown is waiting for replicas to catch up */
  readonly shutdownWaiting: boolean;
  /** INFO text for the requested section names (lower-cased; empty = default sections). */
  infoString(sections: string[]): string;
  /** SLOWLOG entries, newest first. */
  readonly slowlog: { readonly entries: readonly SlowLogRecord[]; reset(): void };
  /** the latency monitor's series (LATENCY) */
  readonly latency: LatencyMonitor;
  /** DEBUG SET-ACTIVE-EXPIRE */
  activeExpireEnabled: boolean;
  /** replication role, as HELLO reports it */
  readonly role: 'master' | 'replica';
  /** users, permissions and the ACL LOG */
  readonly acl: Acl;
  /**
   * Checks a username/password pair and, when valid, makes it the session's user (AUTH, HELLO
   * AUTH); a failure is logged in ACL LOG with `via` (the command name as sent) as its object.
   * A Promise when only a slow hash can answer (see Session.block); it never rejects.
   */
  authenticate(client: Session, user: string, pass: string, via?: string): boolean | Promise<boolean>;
  /** Redis's authRequired(): the default user is off, has passwords, or (Redoubt) has expired. */
  authRequired(): boolean;
  /**
   * CONFIG SET port/bind: binds the configured TCP addresses, then drops the old listeners.
   * Resolves with null, or with a failure text (the old listeners are then kept).
   */
  reopenListeners(): Promise<string | null>;
  /** True if an ACL user with this name exists (CLIENT KILL USER). */
  hasUser(name: string): boolean;
  /** Write a line to the server log at the given level. */
  log(level: 'debug' | 'verbose' | 'notice' | 'warning', msg: string): void;
  /** Emit a keyspace/write event to listeners (AOF, replicas) after a write command. */
  propagate(dbIndex: number, argv: string[]): void;
  /**
   * Blocks the calling client (BLPOP, BLMOVE, BZPOPMIN, BLMPOP, ...) on `keys` of its current
   * database until `waiter.serve` succeeds for one of them, the deadline passes (`deadline`: unix
   * ms, 0 = never) and `waiter.timeout` writes the reply, or CLIENT UNBLOCK. A client that may not
   * block (inside MULTI/EXEC) gets `waiter.timeout` at once, as Redis does. Clients blocked on a key
   * are served first-come first-served when the key is created (Database.keyAdded), after the
   * command that created it, or after EXEC.
   */
  blockOnKeys(ctx: Ctx, keys: string[], deadline: number, waiter: KeyWaiter): void;
  /** WATCH one key of `db` for this session. */
  watchKey(client: Session, db: Database, key: string): void;
  /** Forget every key this session watches (UNWATCH, EXEC, DISCARD). */
  unwatchAll(client: Session): void;
  /** Leave MULTI: drop the queue and its error/dirty flags, and unwatch (DISCARD, EXEC, RESET). */
  discardTransaction(client: Session): void;
  /** EXEC: did a watched key's TTL pass since it was watched (Redis 7.0 isWatchedKeyExpired)? */
  watchedKeyExpired(client: Session): boolean;
  /**
   * EXEC: runs the queued commands through the pipeline's call step, writing their replies as
   * one array; checks ACL again for each, since permissions may have changed while queueing.
   */
  runQueued(ctx: Ctx, queued: QueuedCommand[]): void;
  /**
   * FLUSHDB/FLUSHALL (`db` is emptied) and SWAPDB (`db`'s contents replaced by `replacement`'s),
   * called before the change: watched keys that exist in either become dirty.
   */
  touchAllWatchedKeysInDb(db: Database, replacement?: Database): void;
  /** After SWAPDB: clients blocked on keys that now exist in `db` get served. */
  keysMayBeReady(db: Database): void;
  /** CLIENT UNBLOCK: finishes a client blocked on keys with its timeout reply or an error. */
  unblockClient(id: number, withError: boolean): boolean;
  /**
   * Redis's signalModifiedKey: a write command changed `key` (WATCH, client-side caching). Every
   * write command calls it once per key it modified. A caller holding the key's object passes it
   * (`o`): the memory estimate is then refreshed without looking the key up again.
   */
  signalModifiedKey(db: Database, key: string, o?: RObj): void;
  /**
   * Redis's notifyKeyspaceEvent: `cls` is the event class letter of notify-keyspace-events
   * ('g' generic, '$' string, 'l' list, 's' set, 'h' hash, 'z' zset, 'x' expired, 'e' evicted,
   * 'n' new key, 't' stream, 'm' key miss), `event` the event name Redis uses ('lpush', 'del', ...).
   */
  notifyKeyspaceEvent(cls: string, event: string, key: string, dbIndex: number): void;
  /** channels, patterns and shard channels (src/server/pubsub.ts) */
  readonly pubsub: PubSubView;
  /** client-side caching (src/server/tracking.ts) */
  readonly tracking: TrackingView;
  /** RDB/AOF state: SAVE, BGSAVE, LASTSAVE, DEBUG RELOAD, FLUSHALL's save (src/persistence/manager.ts) */
  readonly persistence: PersistenceManager;
}

/** A connection's client-side caching state (Redis's CLIENT_TRACKING_* flags). */
export interface TrackingClientState {
  /** client id invalidations go to; 0 = this connection */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING was given for the next command */
  caching: boolean;
  brokenRedirect: boolean;
  /** BCAST prefixes, sorted */
  prefixes: string[];
}

/** Client-side caching as CLIENT TRACKING/CACHING/GETREDIR/TRACKINGINFO and FLUSH* see it. */
export interface TrackingView {
  /** undefined while the session does not track */
  stateOf(s: Session): TrackingClientState | undefined;
  /** is a client with this id connected (REDIRECT target check) */
  hasClient(id: number): boolean;
  /** the overlap error for new BCAST prefixes, and the index Redis's check stopped at */
  prefixCollision(s: Session, prefixes: string[]): { error: string; selfOverlapAt: number } | null;
  enable(s: Session, redirect: number, opts: { bcast: boolean; optin: boolean; optout: boolean; noloop: boolean }, prefixes: string[]): void;
  disable(s: Session): void;
  /** FLUSHDB/FLUSHALL (once per command): every tracking client drops everything */
  flushed(): void;
}

/**
 * The publish/subscribe registry as commands see it. `kind` picks classic or shard channels; a
 * confirmation reports subscriptionCount (channels + patterns, or shard channels alone).
 */
export interface PubSubView {
  subscribe(s: Session, kind: 'channel' | 'shard', channel: string): void;
  unsubscribe(s: Session, kind: 'channel' | 'shard', channel: string): void;
  subscribePattern(s: Session, pattern: string): void;
  unsubscribePattern(s: Session, pattern: string): void;
  subscriptionCount(s: Session, kind: 'channel' | 'shard'): number;
  channelsOf(s: Session, kind: 'channel' | 'shard'): string[];
  patternsOf(s: Session): string[];
  /** delivers a message; returns the receiver count PUBLISH replies */
  publish(kind: 'channel' | 'shard', channel: string, message: string): number;
  /** active channels, all when pattern is null */
  list(kind: 'channel' | 'shard', pattern: string | null): string[];
  numSub(kind: 'channel' | 'shard', channel: string): number;
  readonly patternCount: number;
  /** writes an encoded push to a session, even under CLIENT REPLY OFF/SKIP */
  push(s: Session, encoded: string): void;
}

/** How a blocked command is finished; see ServerView.blockOnKeys. */
export interface KeyWaiter {
  /**
   * Tries to serve the blocked client from `key`, which may now hold data. `ctx` is the client's
   * own context, refreshed (now, db, reply, propagateAs = null). Writes the reply, sets
   * ctx.propagateAs to what must reach AOF/replicas, calls signalModifiedKey/notifyKeyspaceEvent
   * like the non-blocking form, and returns true; or returns false (key missing, wrong type) and
   * writes nothing, leaving the client blocked.
   */
  serve(ctx: Ctx, key: string): boolean;
  /** Writes the reply for a timeout (a null array or a null bulk, per command). */
  timeout(ctx: Ctx): void;
}

export interface SlowLogRecord {
  id: number;
  /** unix seconds */
  time: number;
  /** microseconds */
  duration: number;
  argv: string[];
  peer: string;
  name: string;
}

/** The per-call context. One instance per connection, refreshed for each command. */
export interface Ctx {
  /**
   * The arguments. A handler that receives secrets replaces this with a redacted copy (Redis's
   * redactClientCommandArgument); MONITOR and SLOWLOG then show the copy, never the secret.
   */
  argv: string[];
  cmd: Command;
  client: Session;
  db: Database;
  reply: Reply;
  server: ServerView;
  /** cached clock (ms) for this event-loop turn */
  now: number;
  /**
   * Set by handlers that must be propagated differently from how they were called (e.g. SET EX as
   * SET PXAT, EXPIRE as PEXPIREAT), or to an empty array to suppress propagation.
   */
  propagateAs: string[][] | null;
}
