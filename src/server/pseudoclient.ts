/*
 * A session without a socket, for commands that arrive from a file or a link rather than from a
 * client: AOF loading now, the replication link later. Redis runs these through a fake client
 * (createAOFClient); here the commands take the normal pipeline (`Server.execute`), so dispatch,
 * MULTI/EXEC queueing, propagation rules and accounting are the ones every client gets.
 *
 * Invariants:
 *  - It is never in the server's connection registry: CLIENT LIST, CLIENT KILL, pauses and
 *    output limits do not see it.
 *  - It runs as a user with every permission (Redis's fake client has no user, i.e. superuser),
 *    authenticated, local (DEBUG in an AOF runs as it would in Redis), and it never blocks.
 *  - Replies are discarded after each command; error replies are counted, and the first few are
 *    kept so the caller can report them.
 */

import { Reply } from '../protocol/reply';
import type { QueuedCommand, Session } from '../commands/context';
import type { Command } from '../commands/table';
import type { WatchedKey } from './watch';
import type { Server } from './server';
import type { Connection } from '../net/connection';
import type { User } from '../security/aclrules';

/** How many error replies are remembered for the report. */
const KEEP_ERRORS = 5;

/**
 * What every socketless session shares: the Session fields the pipeline reads and writes, replies
 * dropped after each command, and the blocking/monitor/flush surface as no-ops (it never blocks:
 * `denyBlocking` makes blocking commands answer at once). Subclasses decide identity (id, kind,
 * user) and how commands arrive.
 */
export abstract class SocketlessSession implements Session {
  abstract readonly id: number;
  abstract readonly kind: string;
  abstract readonly local: boolean;
  name = '';
  dbIndex = 0;
  replyMode: 'on' | 'off' | 'skip' = 'on';
  replySkipping = false;
  noEvict = false;
  authenticated = true;
  addr = '';
  laddr = '';
  readonly reply = new Reply();
  readonly createdAt: number;
  lastInteraction: number;
  lastCommand = 'NULL';
  multi: QueuedCommand[] | null = null;
  multiAborted = false;
  dirtyCas = false;
  watched: WatchedKey[] = [];
  admitted = false;
  resolved: Command | undefined = undefined;
  /** the command context Server.call reuses for this session */
  ctx: unknown = null;
  denyBlocking = true;
  monitor = false;
  closing = false;
  closed = false;
  readonly pending: string[][] = [];
  readonly outputPending = 0;
  protected user_: User;

  constructor(protected readonly server: Server) {
    this.createdAt = this.lastInteraction = server.now;
    this.user_ = server.acl.createDefaultUser();
  }

  get aclUser(): User {
    return this.user_;
  }
  set aclUser(u: User) {
    this.user_ = u;
  }
  get user(): string {
    return this.user_.name;
  }
  get resp(): 2 | 3 {
    return this.reply.resp;
  }
  set resp(v: 2 | 3) {
    this.reply.resp = v;
  }

  abstract infoLine(): string;
  abstract closeAfterReply(): void;
  abstract close(): void;

  startMonitor(): void {
    // nothing can watch the server through a session without a socket: MONITOR is ignored
  }

  reset(): void {
    this.server.discardTransaction(this);
    this.dbIndex = 0;
    this.resp = 2;
    this.name = '';
    this.replyMode = 'on';
  }

  block<T>(wait: Promise<T>, then: (v: T) => void): void {
    // nothing waits for this session: the deferred reply is written (and dropped) later
    void wait.then(then, () => then(undefined as T));
  }

  suspend(): void {
    /* never blocks: denyBlocking answers blocking commands at once */
  }

  unsuspend(): void {}

  flush(): void {
    this.reply.out = '';
  }

  scheduleFlush(): void {
    this.reply.out = '';
  }
}

/** Commands from a file (the AOF): a fresh unrestricted user, local, errors counted. */
export class PseudoClient extends SocketlessSession {
  readonly id: number;
  readonly kind: string;
  readonly local = true;
  /** error replies seen, and the first few texts */
  errors = 0;
  readonly firstErrors: string[] = [];

  /** `id` follows Redis's reserved ids (CLIENT_ID_AOF is UINT64_MAX; a JS-safe stand-in here). */
  constructor(server: Server, opts: { id?: number; kind?: string; addr?: string } = {}) {
    super(server);
    this.id = opts.id ?? Number.MAX_SAFE_INTEGER;
    this.kind = opts.kind ?? 'normal';
    this.addr = opts.addr ?? '';
    this.reply.onError = (msg) => {
      this.errors++;
      if (this.firstErrors.length < KEEP_ERRORS) this.firstErrors.push(msg);
    };
  }

  /** Runs one command through the pipeline and drops its reply. */
  run(argv: string[]): void {
    this.server.execute(this as unknown as Connection, argv);
    this.reply.out = '';
  }

  infoLine(): string {
    return `id=${this.id} addr=${this.addr} laddr= fd=-1 name=${this.name} db=${this.dbIndex} cmd=${this.lastCommand} user=${this.user}`;
  }

  closeAfterReply(): void {
    this.closing = true;
  }

  close(): void {
    this.closing = true;
    this.closed = true;
  }
}
