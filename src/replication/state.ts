/*
 * Replication state shared by both roles (PSYNC2): the replication IDs, the stream offset, the
 * backlog, and the set of replicas the stream is fanned out to.
 *
 * Design: one object per server (`server.replication`). The stream is a byte sequence; every byte
 * that enters it goes through `feed()`, which appends it to the backlog, advances `offset`, and
 * hands it to every attached replica. Two producers feed it:
 *  - on a top-level primary, `propagate()` (a `server.writeListeners` subscriber) RESP-encodes
 *    each executed write, with a SELECT first when the database differs from the stream's;
 *  - on a replica, the link to its primary passes the exact bytes it received and applied, so
 *    sub-replicas see the primary's stream byte for byte and share its IDs and offsets.
 * Nothing is encoded and the offset does not move while there is no backlog: as in Redis, a server
 * that never had a replica pays nothing for replication.
 *
 * Invariants:
 *  - `offset` is the offset of the last byte of the stream (master_repl_offset); while a backlog
 *    exists, `backlog.firstOffset + backlog.histlen === offset + 1`.
 *  - `replid2`/`secondReplidOffset` name the history this server inherited before its last
 *    promotion: a PSYNC with replid2 may continue up to (excluding) secondReplidOffset.
 *  - `selectedDb` is the database the stream last selected (-1: the next write re-selects).
 */

import { randomBytes } from 'node:crypto';
import { Backlog } from './backlog';
import type { Server } from '../server/server';
import { PrimarySource } from './source';

export const NO_REPLID = '0000000000000000000000000000000000000000';

/** A replica attached to this server's stream (the primary side implements it in source.ts). */
export interface ReplicaStream {
  /** Bytes of the stream, in order, from the moment the replica was attached. */
  write(bytes: Buffer): void;
  /** Drops the replica's connection. */
  close(): void;
}

/**
 * What this side reads from the replica side's link (`server.primaryLink`, src/replication/link.ts).
 * Only infoFields is required; the others are used when present.
 */
export interface PrimaryLinkView {
  /** INFO replication fields of a replica, from master_host to replica_announced, in Redis's order */
  infoFields(): Array<[string, string | number]>;
  /** ROLE on a replica: host, port, state (connect|connecting|handshake|sync|connected), offset (-1 unknown) */
  roleInfo?(): { host: string; port: number; state: string; offset: number };
  /** true when the link is up (REPL_STATE_CONNECTED): sub-replicas may sync */
  isConnected?(): boolean;
  /** the database the primary's stream has selected (repl-stream-db of an RDB we make) */
  streamDb?(): number;
  /** REPLCONF GETACK arrived on the link: send REPLCONF ACK now */
  sendAck?(): void;
}

/** The server as this module sees it (the replica side adds applyingFromPrimary and primaryLink). */
type Host = Server & { applyingFromPrimary?: boolean; primaryLink?: PrimaryLinkView | null };

export function newReplid(): string {
  return randomBytes(20).toString('hex');
}

export class ReplicationState {
  replid = newReplid();
  replid2 = NO_REPLID;
  secondReplidOffset = -1;
  offset = 0;
  backlog: Backlog | null = null;
  /** database of the last SELECT in the stream (Redis's slaveseldb) */
  selectedDb = -1;
  /** replicas receiving the stream (in every state past "waiting for the snapshot point") */
  readonly replicas = new Set<ReplicaStream>();
  /** FAILOVER's progress, as INFO master_failover_state shows it (set by the FAILOVER command) */
  failoverState: 'no-failover' | 'waiting-for-sync' | 'failover-in-progress' = 'no-failover';
  /** the primary side: replica links, full syncs, WAIT, min-replicas (src/replication/source.ts) */
  readonly source: PrimarySource;
  /** run from the server cron after the primary side's (the replica side registers its own) */
  readonly cronHooks: Array<(now: number) => void> = [];

  constructor(private readonly host: Host) {
    this.source = new PrimarySource(host, this);
    host.config.onChange('repl-backlog-size', () => this.backlog?.resize(this.backlogSize()));
    host.config.onChange('min-replicas-to-write', () => this.source.refreshGoodReplicas());
    host.config.onChange('min-replicas-max-lag', () => this.source.refreshGoodReplicas());
    host.writeListeners.push((db, argv) => {
      // A replica proxies its primary's bytes instead (see the file comment); its own local
      // writes (replica-read-only no) are not part of the shared history.
      if (host.role !== 'master' || host.applyingFromPrimary === true) return;
      this.propagate(db, argv);
    });
    host.propagationConsumers.push(() => this.backlog !== null && host.role === 'master' && host.applyingFromPrimary !== true);
  }

  /** repl-backlog-size, never below Redis's CONFIG_REPL_BACKLOG_MIN_SIZE (16 KB) */
  backlogSize(): number {
    return Math.max(16 * 1024, Number(this.host.config.get('repl-backlog-size')));
  }

  /** Creates the backlog if there is none; it continues at the current offset. */
  ensureBacklog(): Backlog {
    if (this.backlog === null) this.backlog = new Backlog(this.backlogSize(), this.offset + 1);
    return this.backlog;
  }

  freeBacklog(): void {
    this.backlog = null;
  }

  feed(bytes: Buffer): void {
    const backlog = this.backlog;
    if (backlog === null || bytes.length === 0) return;
    backlog.append(bytes);
    this.offset += bytes.length;
    for (const r of this.replicas) r.write(bytes);
    // WAIT waits for the offset after the calling client's last write (Redis's c->woff)
    this.source.noteWrite(this.host.runningSession());
  }

  /** Server cron (hz times a second). */
  cron(now: number): void {
    this.source.cron(now);
    for (const h of this.cronHooks) h(now);
  }

  /** On a replica: is the link to our primary up (sub-replicas may sync only then)? */
  primaryLinkUp(): boolean {
    const link = this.host.primaryLink as PrimaryLinkView | null | undefined;
    if (link === null || link === undefined) return false;
    if (link.isConnected !== undefined) return link.isConnected();
    return link.infoFields().some(([k, v]: [string, string | number]) => k === 'master_link_status' && v === 'up');
  }

  /** The repl-stream-db to save: the link's database on a replica, else the stream's (undefined). */
  linkStreamDb(): number | undefined {
    if (this.host.role !== 'replica') return undefined;
    return (this.host.primaryLink as PrimaryLinkView | null | undefined)?.streamDb?.() ?? 0;
  }

  propagate(dbIndex: number, argv: string[]): void {
    if (this.backlog === null) return;
    let s = '';
    // dbIndex -1 (PING, REPLCONF GETACK from the cron) keeps whatever the stream selected
    if (dbIndex !== this.selectedDb && dbIndex >= 0) {
      const d = String(dbIndex);
      s = `*2\r\n$6\r\nSELECT\r\n$${d.length}\r\n${d}\r\n`;
      this.selectedDb = dbIndex;
    }
    s += encodeCommand(argv);
    this.feed(Buffer.from(s, 'latin1'));
  }

  /** The next write re-emits SELECT (a replica starting a full sync does not know the db). */
  forceSelect(): void {
    this.selectedDb = -1;
  }

  /** A new history from here on: fresh ID (Redis's changeReplicationId). */
  changeReplicationId(): void {
    this.replid = newReplid();
  }

  /** Forgets the inherited history (Redis's clearReplicationId2). */
  clearReplicationId2(): void {
    this.replid2 = NO_REPLID;
    this.secondReplidOffset = -1;
  }

  shiftReplicationId(): void {
    this.replid2 = this.replid;
    // a replica of ours that processed up to `offset` asks for offset + 1: that must still match
    this.secondReplidOffset = this.offset + 1;
    this.changeReplicationId();
    this.host.log('notice', `Setting secondary replication ID to ${this.replid2}, valid up to offset: ${this.secondReplidOffset}. New replication ID is ${this.replid}`);
  }

  /**
   * After loading a full sync: our history is now the primary's. Replicas of ours were following
   * the old history, so they are dropped (they reconnect and resync), as Redis does.
   */
  adopt(replid: string, offset: number): void {
    this.disconnectReplicas();
    this.replid = replid;
    this.offset = offset;
    this.clearReplicationId2();
    this.backlog = new Backlog(this.backlogSize(), offset + 1);
    this.selectedDb = -1;
  }

  canContinue(replid: string, offset: number): boolean {
    const sameHistory = replid.toLowerCase() === this.replid
      || (replid.toLowerCase() === this.replid2 && replid !== NO_REPLID && offset <= this.secondReplidOffset);
    if (!sameHistory) return false;
    return this.backlog !== null && this.backlog.has(offset);
  }

  /** Why a PSYNC cannot continue, in Redis's log words (null when it can). */
  refusalReason(replid: string, offset: number): string | null {
    const id = replid.toLowerCase();
    if (id !== this.replid) {
      if (id !== this.replid2 || id === NO_REPLID) {
        return `Replication ID mismatch (Replica asked for '${replid}', my replication IDs are '${this.replid}' and '${this.replid2}')`;
      }
      if (offset > this.secondReplidOffset) {
        return `Requested offset for second ID was ${offset}, but I can reply up to ${this.secondReplidOffset}`;
      }
    }
    const b = this.backlog;
    if (b === null || !b.has(offset)) {
      return `Unable to partial resync with replica for lack of backlog (Replica request was: ${offset}).`;
    }
    return null;
  }

  disconnectReplicas(): void {
    this.source.disconnectAll();
    for (const r of [...this.replicas]) r.close();
    this.replicas.clear();
  }

  /**
   * The aux fields a saved RDB carries so a restarted server can PSYNC (Redis's rdbSaveInfo):
   * the stream's database, our ID and offset. `streamDb` is the replica's link database when
   * known; on a primary it is the stream's. Null when there is nothing to continue from (a
   * primary without backlog: a replica connecting to it starts a new history anyway).
   */
  rdbAux(streamDb?: number): Array<[string, string]> | null {
    let db: number;
    if (streamDb !== undefined) db = streamDb;
    else if (this.host.role === 'master' && this.backlog !== null) db = this.selectedDb === -1 ? 0 : this.selectedDb;
    else return null;
    return [['repl-stream-db', String(db)], ['repl-id', this.replid], ['repl-offset', String(this.offset)]];
  }
}

/** RESP array of bulk strings; argv strings are latin1 (one char per byte). */
export function encodeCommand(argv: string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}
