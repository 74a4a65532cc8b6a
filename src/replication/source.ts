/*
 * The primary side of replication: replica links, PSYNC (partial or full), streaming, ACKs, WAIT,
 * min-replicas, and the once-a-second replication cron (pings, timeouts, backlog TTL).
 *
 * Design: a replica is a Connection flagged `kind = 'replica'` after its PSYNC/SYNC. Its stream
 * bytes bypass the reply buffer: a ReplicaLink queues them and writes them to the socket once per
 * event-loop turn, in order, after the +FULLRESYNC / +CONTINUE line and the RDB. While a full sync
 * has not delivered the RDB yet, the stream after the snapshot point is held in `held` (the
 * replica's output buffer in Redis, subject to the replica class of client-output-buffer-limit).
 * Full syncs themselves (diskless or disk-backed) live in fullsync.ts.
 *
 * Invariants:
 *  - A link is in `state.replicas` (receives the stream) from its snapshot point (full sync) or its
 *    +CONTINUE (partial), never before: bytes before that point reach it only through the RDB or
 *    the backlog, so nothing is doubled or lost.
 *  - A replica never gets a reply on the link: a command of its that produced one gets it
 *    disconnected (Redis 7.0), since a reply would corrupt the stream it parses.
 */

import type { Connection } from '../net/connection';
import type { Server } from '../server/server';
import type { ReplicaStream, ReplicationState } from './state';
import { FullSyncs } from './fullsync';
import { unsetPrimary } from './role';

export type LinkState = 'wait_bgsave_start' | 'wait_bgsave_end' | 'send_bulk' | 'online';

/** What REPLCONF told us before PSYNC (kept per connection). */
export interface ReplConf {
  listeningPort: number;
  ipAddress: string | null;
  capaEof: boolean;
  capaPsync2: boolean;
  rdbOnly: boolean;
}

const STREAM_FLUSH_BYTES = 1 << 20;

export class ReplicaLink implements ReplicaStream {
  state: LinkState = 'wait_bgsave_start';
  ackOffset = 0;
  /** unix ms of the last REPLCONF ACK (or of the sync start) */
  ackTime: number;
  /** SYNC (old protocol, redis-cli --replica): sends no ACKs, so no ACK-based timeout */
  prePsync = false;
  /** after a diskless transfer: the stream starts once the replica ACKs (it may still be loading) */
  startOnAck = false;
  /** offset the RDB of its full sync corresponds to */
  initialOffset = -1;
  /** unix ms when a diskless transfer to this replica last made progress (Redis's repl_last_partial_write) */
  transferProgress = 0;
  /** stream held back until the replica is online */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private softSince = 0;
  /** stream bytes queued for this turn's socket write */
  private out: Buffer[] = [];
  private outBytes = 0;
  private flushQueued = false;
  closed = false;

  constructor(readonly conn: Connection, readonly conf: ReplConf, private readonly source: PrimarySource) {
    this.ackTime = source.server.now;
  }

  /** Redis's replicationGetSlaveName: the announced address and listening port. */
  get name(): string {
    const ip = this.ip;
    if (ip === '') return `client id #${this.conn.id}`;
    const host = ip.includes(':') ? `[${ip}]` : ip;
    return this.conf.listeningPort ? `${host}:${this.conf.listeningPort}` : `${ip}:<unknown-replica-port>`;
  }

  get ip(): string {
    if (this.conf.ipAddress !== null) return this.conf.ipAddress;
    const a = this.conn.addr;
    const i = a.lastIndexOf(':');
    let ip = i < 0 ? a : a.slice(0, i);
    if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    return ip;
  }

  /** Stream bytes from the state's feed. */
  write(bytes: Buffer): void {
    if (this.closed) return;
    if (this.state !== 'online' || this.startOnAck) {
      this.held.push(bytes);
      this.heldBytes += bytes.length;
      this.checkHeldLimit();
      return;
    }
    this.queue(bytes);
  }

  /** Raw bytes to the socket in stream order (protocol lines, RDB, backlog, stream). */
  queue(bytes: Buffer): void {
    if (this.closed || bytes.length === 0) return;
    this.out.push(bytes);
    this.outBytes += bytes.length;
    if (this.outBytes >= STREAM_FLUSH_BYTES) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      this.source.queueFlush(this);
    }
  }

  flush(): void {
    this.flushQueued = false;
    if (this.closed || this.outBytes === 0) return;
    const data = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out, this.outBytes);
    this.out = [];
    this.outBytes = 0;
    this.source.replOutputBytes += data.length;
    this.conn.socket.write(data);
    this.conn.checkOutputLimits();
  }

  /** Everything held since the snapshot point goes out now; from here on the stream flows. */
  startStream(): void {
    this.startOnAck = false;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const b of held) this.queue(b);
  }

  /** Joining a disk sync already under way: the same held stream since the same snapshot point. */
  copyHeldFrom(peer: ReplicaLink): void {
    this.held = [...peer.held];
    this.heldBytes = peer.heldBytes;
  }

  /** The replica class of client-output-buffer-limit applies to the held stream too. */
  private checkHeldLimit(): void {
    const lim = this.source.server.outputLimits[1];
    if (lim === undefined) return;
    const pending = this.heldBytes + this.conn.outputPending;
    let over = lim.hard > 0 && pending >= lim.hard;
    if (!over && lim.soft > 0 && pending >= lim.soft) {
      const now = this.source.server.now;
      if (this.softSince === 0) this.softSince = now;
      else over = now - this.softSince > lim.seconds * 1000;
    } else {
      this.softSince = 0;
    }
    if (!over) return;
    const server = this.source.server;
    server.log('warning', `Client ${this.conn.infoLine()} scheduled to be closed ASAP for overcoming of output buffer limits.`);
    server.stats.clientOutputBufferLimitDisconnections++;
    this.close();
  }

  /** Bytes the socket still has to send (back-pressure for full syncs). */
  get socketPending(): number {
    return this.conn.socket.writableLength + this.outBytes;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.held = [];
    this.out = [];
    this.source.detach(this);
    if (!this.conn.closed) {
      this.conn.close();
    }
  }
}

interface Waiter {
  conn: Connection;
  offset: number;
  numreplicas: number;
  timer: NodeJS.Timeout | null;
}

export class PrimarySource {
  /** every replica link, in attach order (INFO slaveN, ROLE) */
  readonly links: ReplicaLink[] = [];
  readonly byConn = new Map<Connection, ReplicaLink>();
  /** REPLCONF settings of connections that are not replicas yet */
  readonly confs = new WeakMap<object, ReplConf>();
  readonly fullSyncs: FullSyncs;
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;
  replOutputBytes = 0;
  /** replicas with a lag within min-replicas-max-lag (Redis's repl_good_slaves_count) */
  goodReplicas = 0;
  /** unix ms since when no replica is connected (repl-backlog-ttl) */
  noReplicasSince: number;
  /** last write offset per client (Redis's c->woff), for WAIT */
  readonly woff = new WeakMap<object, number>();
  private waiters: Waiter[] = [];
  private getAckPending = false;
  private flushList: ReplicaLink[] = [];
  private lastCronSec = 0;
  private cronLoops = 0;

  /** min-replicas-to-write / -max-lag, kept current by config listeners (read on every write) */
  private minToWrite = 0;
  private minMaxLag = 10;

  constructor(readonly server: Server, readonly state: ReplicationState) {
    this.noReplicasSince = server.now;
    this.fullSyncs = new FullSyncs(this);
    server.config.onChange('min-replicas-to-write', (v: number) => (this.minToWrite = v));
    server.config.onChange('min-replicas-max-lag', (v: number) => (this.minMaxLag = v));
  }

  /* ------------------------------------------------------------------ attach / detach */

  confOf(conn: object): ReplConf {
    let c = this.confs.get(conn);
    if (c === undefined) {
      c = { listeningPort: 0, ipAddress: null, capaEof: false, capaPsync2: false, rdbOnly: false };
      this.confs.set(conn, c);
    }
    return c;
  }

  private attach(conn: Connection): ReplicaLink {
    const link = new ReplicaLink(conn, this.confOf(conn), this);
    conn.kind = 'replica';
    this.links.push(link);
    this.byConn.set(conn, link);
    conn.socket.once('close', () => link.close());
    if (this.server.config.get('repl-disable-tcp-nodelay') === true) conn.socket.setNoDelay(false);
    return link;
  }

  /** A link closed (its connection went, a timeout, a limit, a role change). */
  detach(link: ReplicaLink): void {
    const i = this.links.indexOf(link);
    if (i < 0) return;
    this.links.splice(i, 1);
    this.byConn.delete(link.conn);
    this.state.replicas.delete(link);
    this.fullSyncs.forget(link);
    if (link.state === 'online') this.server.log('notice', `Connection with replica ${link.name} lost.`);
    if (this.links.length === 0) this.noReplicasSince = this.server.now;
    this.refreshGoodReplicas();
  }

  /* ------------------------------------------------------------------ SYNC / PSYNC */

  /**
   * Redis's syncCommand. Returns an error text for the client, or null once the connection is a
   * replica (every later byte on it is written here, not by the reply buffer).
   */
  sync(conn: Connection, argv: string[]): string | null {
    if (this.byConn.has(conn)) return null;
    const server = this.server;
    // PSYNC <replid> <offset> FAILOVER: our primary (running FAILOVER) hands its role to us
    if (argv.length > 3 && argv[0].toLowerCase() === 'psync' && argv[3].toLowerCase() === 'failover') {
      if (argv[1].toLowerCase() !== this.state.replid) return 'ERR PSYNC FAILOVER replid must match my replid.';
      unsetPrimary(server);
      server.log('notice', `MASTER MODE enabled (failover request from '${conn.infoLine()}')`);
    }
    const failing = (this.state as { failoverState?: string }).failoverState;
    if (failing !== undefined && failing !== 'no-failover') return "NOMASTERLINK Can't SYNC while failing over";
    if (server.role === 'replica' && !this.state.primaryLinkUp()) return "NOMASTERLINK Can't SYNC while not connected with my master";
    if (conn.reply.out.length !== 0) return 'ERR SYNC and PSYNC are invalid with pending output';
    const conf = this.confOf(conn);
    const nameOf = () => new ReplicaLink(conn, conf, this).name;
    server.log('notice', `Replica ${nameOf()} asks for synchronization`);
    const psync = argv[0].toLowerCase() === 'psync';
    let prePsync = false;
    if (psync) {
      const offset = parseOffset(argv[2]);
      if (offset === null) {
        server.log('warning', `Replica ${nameOf()} asks for synchronization but with a wrong offset`);
        return 'ERR value is not an integer or out of range';
      }
      if (this.tryPartial(conn, argv[1], offset)) {
        this.syncPartialOk++;
        return null;
      }
      if (argv[1] !== '?') this.syncPartialErr++;
    } else {
      prePsync = true;
    }
    this.syncFull++;
    // the connection's replies so far were flushed (none pending): from now on it is a replica
    const link = this.attach(conn);
    link.prePsync = prePsync;
    if (this.links.length === 1 && this.state.backlog === null) {
      // a backlog made from scratch starts a new history: no earlier one can be continued
      this.state.changeReplicationId();
      this.state.clearReplicationId2();
      this.state.ensureBacklog();
      server.log('notice', `Replication backlog created, my new replication IDs are '${this.state.replid}' and '${this.state.replid2}'`);
    }
    this.fullSyncs.request(link);
    return null;
  }

  /** Redis's masterTryPartialResynchronization. */
  private tryPartial(conn: Connection, replid: string, offset: number): boolean {
    const server = this.server;
    const name = new ReplicaLink(conn, this.confOf(conn), this).name;
    const reason = this.state.refusalReason(replid, offset);
    if (reason !== null) {
      if (replid === '?') server.log('notice', `Full resync requested by replica ${name}`);
      else if (reason.startsWith('Unable')) {
        server.log('notice', reason.replace('with replica', `with replica ${name}`));
        if (offset > this.state.offset) server.log('warning', `Warning: replica ${name} tried to PSYNC with an offset that is greater than the master replication offset.`);
      } else server.log('notice', `Partial resynchronization not accepted: ${reason}`);
      return false;
    }
    const link = this.attach(conn);
    link.state = 'online';
    link.ackTime = server.now;
    link.queue(Buffer.from(link.conf.capaPsync2 ? `+CONTINUE ${this.state.replid}\r\n` : '+CONTINUE\r\n', 'latin1'));
    let sent = 0;
    for (const b of this.state.backlog!.readFrom(offset)!) {
      link.queue(b);
      sent += b.length;
    }
    this.state.replicas.add(link);
    server.log('notice', `Partial resynchronization request from ${link.name} accepted. Sending ${sent} bytes of backlog starting from offset ${offset}.`);
    this.refreshGoodReplicas();
    return true;
  }

  /* ------------------------------------------------------------------ REPLCONF ACK, WAIT */

  /** REPLCONF ACK <offset> from a replica (no reply). */
  ack(conn: Connection, offset: number): void {
    const link = this.byConn.get(conn);
    if (link === undefined) return;
    if (offset > link.ackOffset) link.ackOffset = offset;
    link.ackTime = this.server.now;
    if (link.startOnAck && link.state === 'online') {
      link.startStream();
      this.server.log('notice', `Synchronization with replica ${link.name} succeeded`);
    }
    if (this.waiters.length !== 0) this.serveWaiters();
  }

  /** Replicas online that acknowledged at least `offset` (Redis's replicationCountAcksByOffset). */
  countAcks(offset: number): number {
    let n = 0;
    for (const l of this.links) if (l.state === 'online' && l.ackOffset >= offset) n++;
    return n;
  }

  /** Records the stream offset after a client's write (called from the state's propagate path). */
  noteWrite(session: object | null): void {
    if (session !== null) this.woff.set(session, this.state.offset);
  }

  /**
   * WAIT: replies at once when enough replicas acknowledged the client's last write (or when the
   * client may not block), else suspends the client until they do or the timeout passes.
   */
  wait(conn: Connection, numreplicas: number, timeoutMs: number, mayBlock: boolean): number | null {
    const offset = this.woff.get(conn) ?? 0;
    const acked = this.countAcks(offset);
    if (acked >= numreplicas || !mayBlock) return acked;
    const w: Waiter = { conn, offset, numreplicas, timer: null };
    if (timeoutMs > 0) w.timer = setTimeout(() => this.finishWait(w), timeoutMs);
    this.waiters.push(w);
    conn.suspend();
    this.requestAcks();
    return null;
  }

  /** Answers a WAIT: the replicas that acknowledged so far, or `error` (CLIENT UNBLOCK ERROR). */
  private finishWait(w: Waiter, error?: string): void {
    const i = this.waiters.indexOf(w);
    if (i < 0) return;
    this.waiters.splice(i, 1);
    if (w.timer !== null) clearTimeout(w.timer);
    if (w.conn.closed) return;
    this.server.updateClock();
    if (error !== undefined) w.conn.reply.error(error);
    else w.conn.reply.int(this.countAcks(w.offset));
    w.conn.unsuspend();
  }

  /** clients blocked in WAIT (they count in INFO blocked_clients, as in Redis) */
  get waitingClients(): number {
    return this.waiters.length;
  }

  /**
   * CLIENT UNBLOCK of a client in WAIT: it answers as at its timeout (the replicas that
   * acknowledged so far), or with the UNBLOCKED error. False if the client is not waiting.
   */
  unblockWait(conn: Connection, withError: boolean): boolean {
    const w = this.waiters.find((x) => x.conn === conn);
    if (w === undefined) return false;
    this.finishWait(w, withError ? 'UNBLOCKED client unblocked via CLIENT UNBLOCK' : undefined);
    return true;
  }

  private serveWaiters(): void {
    for (const w of [...this.waiters]) {
      if (w.conn.closed) this.finishWait(w);
      else if (this.countAcks(w.offset) >= w.numreplicas) this.finishWait(w);
    }
  }

  /** REPLCONF GETACK * to every replica at the end of this turn (Redis does it in beforeSleep). */
  requestAcks(): void {
    if (this.getAckPending) return;
    this.getAckPending = true;
    setImmediate(() => {
      this.getAckPending = false;
      if (this.links.length === 0 || this.writesPaused()) return;
      this.state.propagate(-1, ['REPLCONF', 'GETACK', '*']);
    });
  }

  private writesPaused(): boolean {
    return this.server.pausedUntil !== 0 && this.server.now < this.server.pausedUntil;
  }

  /* ------------------------------------------------------------------ min-replicas */

  refreshGoodReplicas(): void {
    const maxLag = this.server.config.get('min-replicas-max-lag') as number;
    const toWrite = this.server.config.get('min-replicas-to-write') as number;
    if (toWrite === 0 || maxLag === 0) {
      this.goodReplicas = 0;
      return;
    }
    let good = 0;
    const nowSec = Math.floor(this.server.now / 1000);
    for (const l of this.links) {
      if (l.state === 'online' && nowSec - Math.floor(l.ackTime / 1000) <= maxLag) good++;
    }
    this.goodReplicas = good;
  }

  /** The NOREPLICAS gate: true when writes must be refused. */
  notEnoughReplicas(): boolean {
    if (this.minToWrite === 0 || this.server.role !== 'master') return false;
    return this.minMaxLag !== 0 && this.goodReplicas < this.minToWrite;
  }

  /* ------------------------------------------------------------------ output batching */

  queueFlush(link: ReplicaLink): void {
    if (this.flushList.length === 0) setImmediate(this.flushAll);
    this.flushList.push(link);
  }

  private readonly flushAll = (): void => {
    const list = this.flushList;
    this.flushList = [];
    for (const l of list) l.flush();
  };

  /* ------------------------------------------------------------------ cron */

  /** Called from the server cron; the once-a-second part is Redis's replicationCron. */
  cron(now: number): void {
    this.fullSyncs.tick(now);
    const sec = Math.floor(now / 1000);
    if (sec === this.lastCronSec) return;
    this.lastCronSec = sec;
    this.cronLoops++;
    const server = this.server;
    const period = server.config.get('repl-ping-replica-period') as number;
    if (this.links.length !== 0 && this.cronLoops % period === 0 && !this.writesPaused() && !server.shutdownSeq.waiting && server.role === 'master') {
      this.state.propagate(-1, ['PING']);
    }
    // replicas waiting for their RDB get a newline now and then, so their read timeout never fires
    for (const l of this.links) {
      if (l.state === 'wait_bgsave_start' || (l.state === 'wait_bgsave_end' && !this.fullSyncs.isDiskless(l))) {
        this.replOutputBytes++;
        l.conn.socket.write('\n');
      }
    }
    const timeout = (server.config.get('repl-timeout') as number) * 1000;
    for (const l of [...this.links]) {
      if (l.state === 'online' && !l.prePsync && now - l.ackTime > timeout) {
        server.log('warning', `Disconnecting timedout replica (streaming sync): ${l.name}`);
        l.close();
      } else if (l.state === 'wait_bgsave_end' && this.fullSyncs.isDiskless(l) && l.socketPending > 0 && now - l.transferProgress > timeout) {
        // a replica that stopped reading would hold every other replica's diskless transfer; one
        // that has taken all it was sent is only waiting for the others and stays
        server.log('warning', `Disconnecting timedout replica (full sync): ${l.name}`);
        l.close();
      }
    }
    const ttl = server.config.get('repl-backlog-ttl') as number;
    if (this.links.length === 0 && ttl > 0 && this.state.backlog !== null && server.role === 'master') {
      const idle = Math.floor((now - this.noReplicasSince) / 1000);
      if (idle > ttl) {
        // nobody can continue from a backlog that is gone: a new history begins
        this.state.changeReplicationId();
        this.state.clearReplicationId2();
        this.state.freeBacklog();
        server.log('notice', `Replication backlog freed after ${ttl} seconds without connected replicas.`);
      }
    }
    this.refreshGoodReplicas();
  }

  /** Role change or CLIENT KILL of all replicas: drop every link (the backlog stays). */
  disconnectAll(): void {
    for (const l of [...this.links]) l.close();
  }
}

function parseOffset(s: string): number | null {
  if (!/^-?(0|[1-9][0-9]{0,18})$/.test(s)) return null;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return null;
  return Number(n);
}
