/*
 * One client connection: socket, request parser, reply buffer, and the session state commands see.
 *
 * Design: each read feeds the parser and runs every complete command through the server's
 * pipeline; the replies are written with a single socket write once the event loop has handled all
 * of this turn's reads (as Redis writes in beforeSleep) — a pipeline of N commands costs one
 * syscall, and many connections get their replies in one burst. Reads bypass Node's stream
 * machinery where possible (fastio.ts). While the server is paused (CLIENT PAUSE) or the connection waits for something,
 * parsed commands stay queued in `pending` and the socket is paused, so input is never lost or
 * reordered.
 *
 * Invariants:
 *  - The query buffer never exceeds `client-query-buffer-limit` (1 MB before authentication):
 *    past it the connection is closed, as Redis does.
 *  - A protocol error replies Redis's exact text, then closes after the reply is written.
 *  - Nothing the peer sends can throw out of this file.
 */

import type * as net from 'node:net';
import * as tls from 'node:tls';
import { adoptWithOnread, hookTlsReads, setReading, DirectWriter } from './fastio';
import { formatAddr, isLoopback } from './address';
import { ProtocolError, RequestParser, type ParserLimits } from '../protocol/parser';
import { Reply } from '../protocol/reply';
import type { QueuedCommand, Session } from '../commands/context';
import type { WatchedKey } from '../server/watch';
import type { Command } from '../commands/table';
import type { Server } from '../server/server';
import type { User } from '../security/aclrules';

const UNAUTH_QUERY_BUFFER_LIMIT = 1024 * 1024;
/** Output limit for connections that have not authenticated yet. */
const UNAUTH_OUTPUT_LIMIT = 1024 * 1024;


export class Connection implements Session, ParserLimits {
  readonly id: number;
  name = '';
  dbIndex = 0;
  replyMode: 'on' | 'off' | 'skip' = 'on';
  replySkipping = false;
  get resp(): 2 | 3 {
    return this.reply.resp;
  }
  set resp(v: 2 | 3) {
    this.reply.resp = v;
  }
  noEvict = false;
  /* client memory bookkeeping of src/server/memory.ts (ClientMemory) */
  memBytes = 0;
  memClass = -1;
  memBucket = -1;
  /**
   * The ACL user this session runs as (Redis's c->user): `default` until AUTH says otherwise. The
   * object is the live one in the ACL store, so a permission change applies to the next command.
   */
  aclUser: User;
  get user(): string {
    return this.aclUser.name;
  }
  /**
   * Proved credentials, or was created/reset while the default user needed none. Whether the
   * session may run commands is `authenticated || !server.authRequired()`: as in Redis, lifting
   * the default user's password later lets sessions opened meanwhile in.
   */
  authenticated: boolean;
  /** an AUTH whose slow password check runs off the event loop: input waits until it settles */
  private blocked = false;
  kind = 'normal';
  readonly reply = new Reply();
  readonly parser: RequestParser;
  readonly createdAt: number;
  lastInteraction: number;
  lastCommand = 'NULL';
  /** 'ip:port' of the peer and of our side; unix sockets use the path */
  readonly addr: string;
  readonly laddr: string;
  readonly local: boolean;
  closing = false;
  closed = false;
  monitor = false;
  /** commands parsed but not yet run (paused server) */
  pending: string[][] = [];
  /** re-entrancy guard of processInput (a pause ending inside a command resumes input) */
  private processing = false;

  readonly socket: net.Socket;
  /** reads arrive in a shared buffer (see fastio.ts) that must not be kept past onData */
  private readonly sharedReads: boolean;
  /** TLS reads arrive through hookTlsReads: pausing must stop the handle itself */
  private tlsHooked = false;
  /** replies bypass the Writable stream (fastio.ts); null where Node lacks what that needs */
  private readonly writer: DirectWriter | null;

  /** `accepted` is a socket accepted paused (listeners use pauseOnConnect). */
  constructor(
    accepted: net.Socket,
    readonly server: Server,
    id: number,
    isUnix: boolean,
  ) {
    const socket = accepted;
    this.id = id;
    this.createdAt = this.lastInteraction = server.now;
    if (isUnix) {
      this.addr = `${(socket as any).server?.address?.() ?? ''}:0`;
      this.laddr = this.addr;
      this.local = true;
    } else {
      this.addr = formatAddr(socket.remoteAddress, socket.remotePort);
      this.laddr = formatAddr(socket.localAddress, socket.localPort);
      this.local = isLoopback(socket.remoteAddress);
    }
    this.aclUser = server.defaultUser();
    this.authenticated = !server.authRequired();
    this.parser = new RequestParser(this);
    this.reply.onError = (msg) => server.countError(msg);
    const fast = adoptWithOnread(accepted, (buf, n) => this.onData(buf, n));
    this.sharedReads = fast !== null;
    this.socket = fast ?? accepted;
    this.socket.setNoDelay(true);
    if (fast === null) {
      // TLS: decrypted data bypasses the stream; 'data' still carries what arrived before the hook
      this.tlsHooked = accepted instanceof tls.TLSSocket && hookTlsReads(accepted, (chunk) => this.onData(chunk));
      this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
      this.socket.resume();
    }
    this.writer = DirectWriter.for(this.socket);
    this.socket.on('error', () => this.destroy());
    this.socket.on('close', () => this.destroy());
  }

  /** Reply bytes handed to the socket but not yet to the kernel. */
  private get unsent(): number {
    return this.socket.writableLength + (this.writer !== null ? this.writer.pending : 0);
  }

  /* ParserLimits */
  get maxBulkLen(): number {
    return this.server.maxBulkLen;
  }
  get unauthenticated(): boolean {
    return !this.authenticated && this.server.authRequired();
  }

  /** `n` bytes of `chunk` arrived (all of it unless said). */
  private onData(chunk: Buffer, n = chunk.length): void {
    if (this.closing) return;
    const server = this.server;
    server.freshClock();
    server.stats.netInputBytes += n;
    server.stats.totalReadsProcessed++;
    this.lastInteraction = server.now;
    this.parser.feed(chunk, n);
    // Checked before parsing, as Redis checks its query buffer right after each read: a bulk that
    // completes in this chunk still counts.
    const limit = this.authenticated || !server.authRequired() ? server.queryBufferLimit : UNAUTH_QUERY_BUFFER_LIMIT;
    if (this.parser.pending > limit) {
      server.log('warning', `Closing client that reached max query buffer length: ${this.infoLine()}`);
      server.stats.clientQueryBufferLimitDisconnections++;
      this.reply.out = '';
      this.close();
      return;
    }
    // maxmemory-clients: the query buffer just grew (O(1); one flag read while untracked)
    if (server.evictor.trackClients && server.evictor.clientChanged(this, true)) return;
    this.processInput();
    if (this.sharedReads) this.parser.detach();
    if (this.closing) this.flush();
    else this.scheduleFlush();
  }

  /** Runs queued and newly parsed commands until input runs out, a pause, or close. */
  processInput(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      while (!this.closing && !this.blocked) {
        let argv: string[] | ProtocolError | null;
        if (this.pending.length > 0) argv = this.pending[0];
        else argv = this.parser.next();
        if (argv === null) break;
        if (argv instanceof ProtocolError) {
          this.reply.error('ERR ' + argv.message);
          this.server.log('verbose', `Protocol error (${argv.message}) from client: ${this.infoLine()}`);
          this.closeAfterReply();
          break;
        }
        if (this.server.mustWait(this, argv)) {
          if (this.pending.length === 0) this.pending.push(argv);
          this.socket.pause();
          if (this.tlsHooked) setReading(this.socket, false);
          break;
        }
        if (this.pending.length > 0) this.pending.shift();
        this.server.execute(this, argv);
        if (this.reply.out.length > this.server.outputCheckMin && this.checkOutputLimits()) break;
      }
    } finally {
      this.processing = false;
    }
  }

  /**
   * Suspends this session until `wait` settles, then runs `then` (which writes the reply) and
   * carries on with the input that arrived meanwhile, in order. Used by AUTH while scrypt runs on
   * the thread pool. A reply CLIENT REPLY OFF/SKIP silenced when the command ran stays silent.
   */
  block<T>(wait: Promise<T>, then: (v: T) => void): void {
    this.blocked = true;
    const silent = this.replyMode === 'off' || this.replySkipping;
    const settle = (v: T) => {
      this.blocked = false;
      if (this.closed) return;
      this.server.updateClock();
      const before = this.reply.out.length;
      try {
        then(v);
      } catch (e) {
        this.server.log('warning', `Deferred reply raised an internal error: ${(e as Error)?.stack ?? e}`);
      }
      if (silent) this.reply.out = this.reply.out.slice(0, before);
      this.processInput();
      this.flush();
    };
    wait.then(settle, () => settle(undefined as T));
  }

  /* MULTI/EXEC and WATCH state (see src/server/watch.ts and src/commands/transactions.ts) */
  multi: QueuedCommand[] | null = null;
  multiAborted = false;
  dirtyCas = false;
  watched: WatchedKey[] = [];
  /** set by the pipeline once the current command passed every check (queued or run) */
  admitted = false;
  /** the command the pipeline resolved for the current request, if any */
  resolved: Command | undefined = undefined;
  /** the command context the server reuses for this session's calls (Server.call) */
  ctx: unknown = null;

  /**
   * Set while the session must not block on keys (inside EXEC): a blocking command then answers
   * as if its timeout had passed, as Redis does for CLIENT_DENY_BLOCKING.
   */
  denyBlocking = false;

  /** Stops running this session's input (a command blocked on keys); `unsuspend` carries on. */
  suspend(): void {
    this.blocked = true;
  }

  unsuspend(): void {
    this.blocked = false;
    if (this.closed) return;
    this.processInput();
    this.flush();
  }

  /** Called by the server when a pause ends. */
  resume(): void {
    if (this.closed) return;
    this.socket.resume();
    if (this.tlsHooked) setReading(this.socket, true);
    this.processInput();
    this.flush();
  }

  flush(): void {
    // writes reach the AOF before the replies that acknowledge them (Redis's beforeSleep order)
    if (this.server.flushWrites !== null) this.server.flushWrites();
    const out = this.reply.out;
    if (out.length !== 0) {
      this.reply.out = '';
      // a replica's connection carries only the replication stream (src/replication/source.ts):
      // a reply would corrupt it, so the replica is dropped, as Redis 7.0 does
      if (this.kind === 'replica' && !this.monitor && !this.closed) {
        this.server.log('warning', `Replica generated a reply to command '${this.lastCommand}', disconnecting it: ${this.infoLine()}`);
        this.close();
        return;
      }
      if (!this.closed) {
        this.server.stats.netOutputBytes += out.length;
        this.server.stats.totalWritesProcessed++;
        if (this.writer !== null) this.writer.write(out);
        else this.socket.write(out, 'latin1');
        if (this.unsent > this.server.outputCheckMin) this.checkOutputLimits();
        if (this.server.evictor.trackClients && !this.closed) this.server.evictor.clientChanged(this, false);
      }
    }
    if (this.closing && !this.closed) {
      this.socket.end();
      this.closed = true;
      this.server.removeConnection(this);
    }
  }

  /**
   * Queues this connection's replies to be written once the event loop has run every I/O
   * callback of this turn — Redis's beforeSleep write batching. Peers then receive their replies
   * in one burst per turn instead of one at a time, which lets a client with many connections
   * (redis-benchmark, a pooled application) handle them with fewer wake-ups.
   */
  flushScheduled = false;
  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.server.queueFlush(this);
  }

  /**
   * client-output-buffer-limit, as Redis checks it: past the hard limit, or past the soft limit for
   * longer than its seconds, the connection is closed and its pending output dropped. The pending
   * output is what we built and what the socket has not yet handed to the kernel. Before AUTH the
   * hard limit is capped (CVE-2025-21605: an unauthenticated peer must not grow our memory).
   * Returns true if the connection was closed.
   */
  checkOutputLimits(): boolean {
    if (this.closed || this.kind === 'master') return false;
    const pending = this.reply.out.length + this.unsent;
    const lim = this.server.outputLimits[this.kind === 'replica' && !this.monitor ? 1 : this.kind === 'pubsub' ? 2 : 0];
    let hard = lim.hard;
    if (this.unauthenticated) hard = hard === 0 ? UNAUTH_OUTPUT_LIMIT : Math.min(hard, UNAUTH_OUTPUT_LIMIT);
    let over = hard > 0 && pending >= hard;
    if (!over && lim.soft > 0 && pending >= lim.soft) {
      if (this.softLimitSince === 0) this.softLimitSince = this.server.now;
      else over = this.server.now - this.softLimitSince > lim.seconds * 1000;
    } else {
      this.softLimitSince = 0;
    }
    if (!over) return false;
    this.server.log('warning', `Client ${this.infoLine()} scheduled to be closed ASAP for overcoming of output buffer limits.`);
    this.server.stats.clientOutputBufferLimitDisconnections++;
    this.reply.out = '';
    this.close();
    return true;
  }

  /** When the soft output limit started being exceeded (ms), or 0. */
  private softLimitSince = 0;

  closeAfterReply(): void {
    this.closing = true;
  }

  /** Closes now, discarding pending output. */
  close(): void {
    this.closing = true;
    if (!this.closed) {
      this.closed = true;
      this.socket.destroy();
      this.server.removeConnection(this);
    }
  }

  private destroy(): void {
    this.closing = true;
    if (!this.closed) {
      this.closed = true;
      this.server.removeConnection(this);
    }
    if (!this.socket.destroyed) this.socket.destroy();
  }

  startMonitor(): void {
    this.monitor = true;
    this.kind = 'monitor';
    this.server.addMonitor(this);
  }

  reset(): void {
    this.server.resetSession(this);
  }

  /** Output bytes not yet handed to the kernel (CLIENT LIST omem and output limits). */
  get outputPending(): number {
    return this.reply.out.length + this.unsent;
  }

  infoLine(): string {
    return this.server.clientInfoLine(this);
  }
}
