/*
 * Client-side caching (server-assisted): who may hold which key in a local cache, and the
 * invalidation messages that tell them to drop it. Redis 7.0's tracking.c model:
 *
 *  - default mode: after a read-only command of a tracking client, the keys it read are remembered
 *    in the tracking table (key -> client ids). When such a key changes (signalModifiedKey, expiry,
 *    eviction from the table), every remembered client gets one invalidation and the entry is
 *    dropped: a client must read the key again to hear about it again;
 *  - BCAST mode: clients register key prefixes instead; each prefix collects the keys that changed
 *    during the current event-loop turn, and one batched message per prefix goes out before the
 *    loop sleeps (setImmediate);
 *  - FLUSHDB/FLUSHALL send every tracking client a null ("everything") and empty the table;
 *  - delivery: RESP3 push `invalidate [keys]`, or, with REDIRECT, to another client — as a push if
 *    it speaks RESP3, as a `__redis__:invalidate` pub/sub message if it is a RESP2 subscriber. A
 *    redirect target that no longer exists earns the tracking client a `tracking-redir-broken`
 *    push (RESP3 only) and the broken_redirect flag.
 *
 * Invariants and deliberate likenesses to Redis:
 *  - ids stay in the table after their client turned tracking off or closed (Redis cleans them
 *    lazily, when the key is invalidated), so INFO tracking_total_items counts them too, and a
 *    client that turns tracking back on still hears about keys it read before;
 *  - nothing here costs anything until a client first enables tracking (`everEnabled`), and the
 *    per-command hooks are guarded by `clientCount` in the server;
 *  - the running client's own invalidations caused by its command are held back and sent after
 *    its reply (after EXEC's whole reply inside a transaction), as Redis's tracking_pending_keys;
 *  - a prefix state exists exactly while some client is registered for it.
 */

import type { Connection } from '../net/connection';
import type { Session, TrackingClientState, TrackingView } from '../commands/context';
import type { Command } from '../commands/table';
import { ScanMap } from '../data/scanmap';

/** The tracking state of one connection (declared with the command view, context.ts). */
export type ClientTracking = TrackingClientState;

export interface TrackingOptions {
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
}

interface BcastState {
  /** keys changed this turn -> the connection that changed them last (null: expiry, eviction) */
  keys: Map<string, Connection | null>;
  clients: Set<Connection>;
}

/** What the registry needs from the server. */
export interface TrackingHost {
  readonly connections: Map<number, Connection>;
  readonly pubsub: { push(s: Session, encoded: string): void };
  /** the connection whose command is running, if any */
  runningSession(): Connection | null;
}

const INVALIDATE_PUSH = '>2\r\n$10\r\ninvalidate\r\n';
const INVALIDATE_MESSAGE = '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n';

function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

export class TrackingRegistry implements TrackingView {
  private readonly clients = new Map<Connection, ClientTracking>();
  /** key -> ids of the clients that may cache it (ScanMap: random picks for tracking-table-max-keys) */
  private readonly table = new ScanMap<Set<number>>();
  /** ids across every table entry (INFO tracking_total_items) */
  private items = 0;
  private readonly prefixTable = new Map<string, BcastState>();
  private sortedPrefixes: string[] | null = null;
  /** the redirect each connection last enabled with (Redis keeps it after TRACKING OFF) */
  private readonly lastRedirect = new WeakMap<Connection, number>();
  /** the running client's own invalidations (null = flush), sent after its reply */
  private pending: (string | null)[] = [];
  private everEnabled = false;
  private broadcastScheduled = false;
  /** how many times eviction ended still over the limit (Redis's effort grows with it) */
  private overLimitRuns = 0;
  /** tracking-table-max-keys (0 = no limit) */
  maxKeys = 1000000;

  constructor(private readonly host: TrackingHost) {}

  /* ------------------------------------------------------------------ counts (INFO) */

  /** INFO tracking_clients */
  get clientCount(): number {
    return this.clients.size;
  }
  get totalKeys(): number {
    return this.table.size;
  }
  get totalItems(): number {
    return this.items;
  }
  get totalPrefixes(): number {
    return this.prefixTable.size;
  }
  /** own invalidations of the running client wait for its reply */
  get hasPending(): boolean {
    return this.pending.length !== 0;
  }

  stateOf(c: Session): ClientTracking | undefined {
    return this.clients.size === 0 ? undefined : this.clients.get(c as Connection);
  }

  hasClient(id: number): boolean {
    return this.host.connections.has(id);
  }

  /* ------------------------------------------------------------------ CLIENT TRACKING */

  /**
   * The error Redis answers for new prefixes that overlap each other or the client's existing
   * ones, or null. `selfOverlapAt` reports the index of the prefix that overlapped another given
   * one: Redis 7.0 then still enables tracking unless that index is 0 (see client.ts).
   */
  prefixCollision(c: Session, prefixes: string[]): { error: string; selfOverlapAt: number } | null {
    const existing = this.clients.get(c as Connection)?.prefixes ?? [];
    const overlap = (a: string, b: string) => (a.length <= b.length ? b.startsWith(a) : a.startsWith(b));
    for (let i = 0; i < prefixes.length; i++) {
      for (const p of existing) {
        if (overlap(p, prefixes[i])) {
          return { error: `ERR Prefix '${cstr(prefixes[i])}' overlaps with an existing prefix '${cstr(p)}'. Prefixes for a single client must not overlap.`, selfOverlapAt: 0 };
        }
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        if (overlap(prefixes[i], prefixes[j])) {
          return { error: `ERR Prefix '${cstr(prefixes[i])}' overlaps with another provided prefix '${cstr(prefixes[j])}'. Prefixes for a single client must not overlap.`, selfOverlapAt: i };
        }
      }
    }
    return null;
  }

  /** CLIENT TRACKING ON: (re)configures the client; BCAST prefixes add to those it has. */
  enable(s: Session, redirect: number, opts: TrackingOptions, prefixes: string[]): void {
    const c = s as Connection;
    let st = this.clients.get(c);
    if (st === undefined) {
      // the CACHING flag survives a re-enable in Redis, so only a new state starts without it
      st = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false, caching: false, brokenRedirect: false, prefixes: [] };
      this.clients.set(c, st);
    }
    this.everEnabled = true;
    st.brokenRedirect = false;
    st.redirect = redirect;
    this.lastRedirect.set(c, redirect);
    st.bcast = opts.bcast;
    if (opts.bcast) {
      if (prefixes.length === 0) this.addPrefix(c, st, '');
      for (const p of prefixes) this.addPrefix(c, st, p);
    }
    st.optin = opts.optin;
    st.optout = opts.optout;
    st.noloop = opts.noloop;
  }

  private addPrefix(c: Connection, st: ClientTracking, prefix: string): void {
    let bs = this.prefixTable.get(prefix);
    if (bs === undefined) {
      this.prefixTable.set(prefix, (bs = { keys: new Map(), clients: new Set() }));
      this.sortedPrefixes = null;
    }
    if (bs.clients.has(c)) return;
    bs.clients.add(c);
    st.prefixes.push(prefix);
    st.prefixes.sort();
  }

  /** CLIENT TRACKING OFF, RESET, connection close. The client's ids stay in the table (lazy). */
  disable(s: Session): void {
    const c = s as Connection;
    const st = this.clients.get(c);
    if (st === undefined) return;
    for (const p of st.prefixes) {
      const bs = this.prefixTable.get(p);
      if (bs === undefined) continue;
      bs.clients.delete(c);
      if (bs.clients.size === 0) {
        this.prefixTable.delete(p);
        this.sortedPrefixes = null;
      }
    }
    this.clients.delete(c);
  }

  /* ------------------------------------------------------------------ remembering reads */

  /**
   * After a read-only command of `c` (the client that sent it, also for commands inside EXEC):
   * remembers the keys it read, unless OPTIN without CACHING yes, or OPTOUT with CACHING no.
   */
  rememberKeys(c: Connection, cmd: Command, argv: string[]): void {
    const st = this.clients.get(c);
    if (st === undefined || st.bcast) return;
    // shard channels are declared as keys but are nothing a client caches
    if (cmd.flags.has('pubsub')) return;
    if (st.caching ? st.optout : st.optin) return;
    for (const k of cmd.getKeys(argv)) {
      const key = argv[k.index];
      let ids = this.table.get(key);
      if (ids === undefined) this.table.set(key, (ids = new Set()));
      if (!ids.has(c.id)) {
        ids.add(c.id);
        this.items++;
      }
    }
  }

  /**
   * After each command of `c`, at top level: CLIENT CACHING lasts for one command (outside MULTI,
   * and CLIENT commands keep it, as Redis's resetClient); the client's own held-back
   * invalidations go out after its reply.
   */
  afterCommand(c: Connection, keepCaching: boolean): void {
    if (!keepCaching && c.multi === null) {
      const st = this.clients.get(c);
      if (st !== undefined) st.caching = false;
    }
    if (this.pending.length === 0) return;
    const pending = this.pending;
    this.pending = [];
    if (c.closing) return;
    for (const key of pending) {
      this.send(c, key === null ? (c.resp === 3 ? '_\r\n' : '$-1\r\n') : '*1\r\n' + bulk(key));
    }
  }

  /* ------------------------------------------------------------------ invalidation */

  /** Redis's trackingInvalidateKey for a modified key; `by` is the client that changed it. */
  keyModified(key: string, by: Connection | null): void {
    if (!this.everEnabled) return;
    this.invalidate(key, by, true, this.host.runningSession(), true);
  }

  /**
   * `current` is the client being served (NOLOOP spares it); with `deferCurrent` its own
   * messages wait for the end of its command (afterCommand).
   */
  private invalidate(key: string, by: Connection | null, bcast: boolean, current: Connection | null, deferCurrent: boolean): void {
    if (bcast && this.prefixTable.size !== 0) this.rememberForBroadcast(key, by);
    const ids = this.table.get(key);
    if (ids === undefined) return;
    for (const id of ids) {
      const target = this.host.connections.get(id);
      if (target === undefined) continue;
      const st = this.clients.get(target);
      // a client that switched to BCAST since it read the key hears only about its prefixes
      if (st === undefined || st.bcast) continue;
      if (st.noloop && target === current) continue;
      if (target === current && deferCurrent) this.pending.push(key);
      else this.send(target, '*1\r\n' + bulk(key));
    }
    this.items -= ids.size;
    this.table.delete(key);
  }

  /** FLUSHDB/FLUSHALL: every tracking client is told to drop everything; the table empties. */
  flushed(): void {
    if (this.clients.size !== 0) {
      const current = this.host.runningSession();
      for (const c of this.host.connections.values()) {
        if (!this.clients.has(c)) continue;
        if (c === current) this.pending.push(null);
        else this.send(c, c.resp === 3 ? '_\r\n' : '$-1\r\n');
      }
    }
    if (this.everEnabled) {
      this.table.clear();
      this.items = 0;
    }
  }

  /**
   * tracking-table-max-keys: while the table is over the limit, forget random keys, telling their
   * clients as if the keys had changed. Called before each command and from the cron; the effort
   * grows each time a run ends still over the limit, as Redis's trackingLimitUsedSlots.
   */
  limitUsedSlots(current: Connection | null): void {
    if (!this.everEnabled || this.maxKeys === 0) return;
    if (this.table.size <= this.maxKeys) {
      this.overLimitRuns = 0;
      return;
    }
    let effort = 100 * (this.overLimitRuns + 1);
    while (effort-- > 0) {
      const key = this.table.randomKey();
      if (key === undefined) break;
      this.invalidate(key, null, false, current, false);
      if (this.table.size <= this.maxKeys) {
        this.overLimitRuns = 0;
        return;
      }
    }
    this.overLimitRuns++;
  }

  /* ------------------------------------------------------------------ BCAST */

  private rememberForBroadcast(key: string, by: Connection | null): void {
    for (const [prefix, bs] of this.prefixTable) {
      if (prefix.length > key.length) continue;
      if (prefix.length !== 0 && !key.startsWith(prefix)) continue;
      // re-set, so the entry names the last client that changed the key (NOLOOP)
      bs.keys.set(key, by);
      if (!this.broadcastScheduled) {
        this.broadcastScheduled = true;
        setImmediate(this.broadcast);
      }
    }
  }

  /** Before the event loop sleeps: one message per prefix with the keys that changed. */
  private readonly broadcast = (): void => {
    this.broadcastScheduled = false;
    if (this.clients.size === 0) return;
    this.sortedPrefixes ??= [...this.prefixTable.keys()].sort();
    for (const prefix of this.sortedPrefixes) {
      const bs = this.prefixTable.get(prefix);
      if (bs === undefined || bs.keys.size === 0) continue;
      const keys = [...bs.keys.keys()].sort();
      let common: string | null = null;
      for (const c of bs.clients) {
        if (this.clients.get(c)?.noloop) {
          const own = keys.filter((k) => bs.keys.get(k) !== c);
          if (own.length !== 0) this.send(c, keyArray(own));
        } else {
          this.send(c, (common ??= keyArray(keys)));
        }
      }
      bs.keys = new Map();
    }
  };

  /* ------------------------------------------------------------------ delivery */

  /** Redis's sendTrackingMessage: `body` is the RESP value after the `invalidate` header. */
  private send(c: Connection, body: string): void {
    const redirect = this.lastRedirect.get(c) ?? 0;
    let target = c;
    if (redirect !== 0) {
      const r = this.host.connections.get(redirect);
      if (r === undefined) {
        const st = this.clients.get(c);
        if (st !== undefined) st.brokenRedirect = true;
        if (c.resp === 3) this.host.pubsub.push(c, '>2\r\n$21\r\ntracking-redir-broken\r\n:' + redirect + '\r\n');
        return;
      }
      target = r;
    }
    if (target.resp === 3) this.host.pubsub.push(target, INVALIDATE_PUSH + body);
    // RESP2 has no pushes: only a redirect target that is a subscriber can be told
    else if (redirect !== 0 && target.kind === 'pubsub') this.host.pubsub.push(target, INVALIDATE_MESSAGE + body);
  }
}

function keyArray(keys: string[]): string {
  let out = '*' + keys.length + '\r\n';
  for (const k of keys) out += bulk(k);
  return out;
}

/** Redis formats prefixes with %s, which stops at a NUL byte. */
function cstr(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}
