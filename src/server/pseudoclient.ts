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
import type { User } from '../security/acl';

/** How many error replies are remembered for the report. */
const KEEP_ERRORS = 5;

export class PseudoClient implements Session {
  readonly id: number;
  name = '';
  dbIndex = 0;
  replyMode: 'on' | 'off' | 'skip' = 'on';
  replySkipping = false;
  noEvict = false;
  aclUser: User;
  authenticated = true;
  kind: string;
  readonly local = true;
  readonly addr: string;
  readonly laddr: string;
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
  denyBlocking = true;
  monitor = false;
  closing = false;
  closed = false;
  pending: string[][] = [];
  readonly outputPending = 0;
  /** error replies seen, and the first few texts */
  errors = 0;
  readonly firstErrors: string[] = [];

  get resp(): 2 | 3 {
    return this.reply.resp;
  }
  set resp(v: 2 | 3) {
    this.reply.resp = v;
  }
  get user(): string {
    return this.aclUser.name;
  }

  /** `id` follows Redis's reserved ids (CLIENT_ID_AOF is UINT64_MAX; a JS-safe stand-in here). */
  constructor(
    private readonly server: Server,
    opts: { id?: number; kind?: string; addr?: string } = {},
  ) {
    this.id = opts.id ?? Number.MAX_SAFE_INTEGER;
    this.kind = opts.kind ?? 'normal';
    this.addr = opts.addr ?? '';
    this.laddr = '';
    this.createdAt = this.lastInteraction = server.now;
    // a fresh unrestricted user, so ACL rules on `default` never filter what the file replays
    this.aclUser = server.acl.createDefaultUser();
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

  startMonitor(): void {
    // a file cannot watch the server: MONITOR from a pseudo client is ignored
  }

  reset(): void {
    this.server.discardTransaction(this);
    this.dbIndex = 0;
    this.resp = 2;
    this.name = '';
    this.replyMode = 'on';
  }

  block<T>(wait: Promise<T>, then: (v: T) => void): void {
    // nothing can wait for a pseudo client: the deferred reply is written (and dropped) later
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
