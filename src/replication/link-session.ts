/*
 * The primary's session on a replica (Redis's server.master client, flags=M): the commands of the
 * replication stream run through the normal pipeline (`Server.execute`) as this session.
 *
 * Design: the link (link.ts) hands it the stream bytes; it parses them with the request parser,
 * runs each command, and keeps the two offsets Redis keeps for its master client: `readReploff`
 * (bytes received) and `reploff` (bytes applied; a transaction counts only once its EXEC ran, so
 * an ACK or a PSYNC after a cut never lands inside a MULTI block). Exactly the applied bytes are
 * then passed on, unchanged, to our own replicas and backlog (`replication.feed`), so a cascade
 * shares the top primary's history byte for byte (PSYNC2). While the link is down the same object
 * is kept detached as the "cached primary" whose replid/reploff the next PSYNC asks to continue.
 *
 * Invariants:
 *  - It runs as an unrestricted user that ACL changes never replace (Redis's user=NULL), is never
 *    paused, never blocks (blocking commands answer as on timeout), and its replies are dropped;
 *    only REPLCONF ACK (written by the link straight to the socket) goes back to the primary.
 *  - While registered it is in `server.connections` (CLIENT LIST, CLIENT KILL TYPE master) and
 *    duck-types the parts of Connection the server reads (socket, parser, pending, flush, close).
 *  - `reploff` only moves forward by whole commands (whole transactions).
 */

import type * as net from 'node:net';
import { ProtocolError, RequestParser, MAX_ARG_LENGTH } from '../protocol/parser';
import type { Connection } from '../net/connection';
import { SocketlessSession } from '../server/pseudoclient';
import type { Server } from '../server/server';
import type { User } from '../security/aclrules';

export class PrimarySession extends SocketlessSession {
  readonly id: number;
  readonly kind = 'master';
  readonly local = false;
  flushScheduled = false;
  socket: net.Socket | null = null;
  parser: RequestParser;
  /** the primary's replication ID this session follows */
  replid: string;
  /** stream offset of the last byte applied (Redis's c->reploff) */
  reploff: number;
  /** stream offset of the last byte received (Redis's c->read_reploff) */
  readReploff: number;
  /** a protocol error was read: the session is not cached (the next sync is a full one) */
  protocolError = false;
  /** received bytes not yet passed on to our replicas (a partial command, an open MULTI) */
  private unsent: Buffer[] = [];
  private unsentLen = 0;

  constructor(server: Server, replid: string, reploff: number, dbIndex: number) {
    super(server);
    this.id = server.nextClientId++;
    this.replid = replid;
    this.reploff = this.readReploff = reploff;
    if (dbIndex >= 0 && dbIndex < server.dbs.length) this.dbIndex = dbIndex;
    this.parser = this.newParser();
    // Redis's master client has no user at all; CLIENT LIST shows it as "(superuser)"
    (this.user_ as { name: string }).name = '(superuser)';
    this.reply.onError = (msg) => {
      server.countError(msg);
      server.log('warning', `== CRITICAL == This replica is sending an error to its master: '${msg.slice(0, 256)}' after processing the command '${this.lastCommand}'`);
    };
  }

  override get aclUser(): User {
    return this.user_;
  }
  override set aclUser(_u: User) {
    // ACL SETUSER/DELUSER of a same-named user never changes what the primary may do
  }

  private newParser(): RequestParser {
    // the primary's stream is trusted for sizes (Redis skips proto-max-bulk-len for its master)
    return new RequestParser({ maxBulkLen: MAX_ARG_LENGTH, unauthenticated: false });
  }

  /** Binds a (new) socket: after a full sync, or when a PSYNC resurrects the cached session. */
  attach(socket: net.Socket, addr: string, laddr: string): void {
    this.socket = socket;
    this.addr = addr;
    this.laddr = laddr;
    this.closing = this.closed = false;
    this.protocolError = false;
    this.lastInteraction = this.server.now;
  }

  /**
   * Forgets everything not applied (Redis's replicationCacheMaster): the partial command, an open
   * transaction, the bytes not passed on. The next PSYNC asks for reploff + 1.
   */
  detach(): void {
    this.socket = null;
    this.parser = this.newParser();
    this.readReploff = this.reploff;
    this.unsent = [];
    this.unsentLen = 0;
    if (this.multi !== null) this.server.discardTransaction(this);
    this.reply.out = '';
  }

  /**
   * Applies stream bytes. Returns false when the stream is malformed (the caller drops the link;
   * this session must then not be cached).
   */
  apply(chunk: Buffer): boolean {
    const server = this.server;
    this.lastInteraction = server.now;
    this.readReploff += chunk.length;
    this.unsent.push(chunk);
    this.unsentLen += chunk.length;
    this.parser.feed(chunk);
    // bytes of unsent[] consumed by commands already applied
    let applied = 0;
    for (;;) {
      const argv = this.parser.next();
      if (argv === null) break;
      if (argv instanceof ProtocolError) {
        server.log('warning', `Protocol error (${argv.message}) from client: ${this.infoLine()}`);
        this.protocolError = true;
        return false;
      }
      server.applyingFromPrimary = true;
      try {
        server.execute(this as unknown as Connection, argv);
      } finally {
        server.applyingFromPrimary = false;
      }
      this.reply.out = '';
      if (this.closed) return true;
      // a command is applied once it ran outside a transaction (EXEC closes one)
      if (this.multi === null) {
        const consumed = this.unsentLen - this.parser.pending;
        this.reploff += consumed - applied;
        applied = consumed;
      }
    }
    if (applied > 0) this.passOn(applied);
    // bytes fed to the parser stay owned by it; ours must not alias a reused read buffer
    this.parser.detach();
    return true;
  }

  /** Hands the first `n` unsent bytes to our backlog and replicas, exactly as received. */
  private passOn(n: number): void {
    const out: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const head = this.unsent[0];
      if (head.length <= left) {
        out.push(head);
        this.unsent.shift();
        left -= head.length;
      } else {
        out.push(head.subarray(0, left));
        this.unsent[0] = Buffer.from(head.subarray(left));
        left = 0;
      }
    }
    this.unsentLen -= n;
    this.server.replication.feed(out.length === 1 ? out[0] : Buffer.concat(out));
  }

  /* ---------------------------------------------------- the Connection surface the server reads */

  infoLine(): string {
    return this.server.clientInfoLine(this as unknown as Connection);
  }

  /** Set by the link: called when CLIENT KILL or the pipeline closes this session. */
  onClose: (() => void) | null = null;

  closeAfterReply(): void {
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closing = this.closed = true;
    this.onClose?.();
  }

  resume(): void {
    /* never paused */
  }
}
