/*
 * The replica side of replication: the link to our primary (Redis's replicationSetMaster,
 * syncWithMaster, readSyncBulkPayload, the cached master, replicationCron's replica half).
 *
 * States (ROLE's words): connect → connecting → handshake → sync (full transfer) → connected.
 * One connection attempt runs at a time; each has a number, and everything an attempt does after
 * an await first checks that it is still the current one, so a cancelled attempt (REPLICAOF
 * elsewhere, NO ONE, a timeout) never touches the state again.
 *
 * The handshake is Redis's: PING, then pipelined [AUTH [masteruser] masterauth], REPLCONF
 * listening-port, [REPLCONF ip-address], REPLCONF capa eof capa psync2, then PSYNC with the cached
 * primary's replid and offset + 1 (or `? -1`). +CONTINUE resumes the cached session (adopting a new
 * replid as PSYNC2 requires); +FULLRESYNC receives the RDB, sized or `$EOF:<mark>`-terminated, and
 * loads it — after writing it to `dbfilename` (repl-diskless-load disabled, the default: the file
 * also becomes our dump, as in Redis), or straight from memory (on-empty-db with no keys, swapdb:
 * into fresh databases swapped in only once loaded, so a failed load keeps the old data).
 *
 * Security: tls-replication connects with the tls-client-* certificate and verifies the primary's
 * chain against tls-ca-cert-file/dir only (never the system store; no host-name check, as Redis);
 * replicaof-allowed-primaries refuses unlisted primaries before any connection is made.
 *
 * Invariants: `server.primaryLink` is non-null exactly while the server is a replica; the live
 * session is in `server.connections` exactly while the state is `connected`; replication.offset
 * equals the session's reploff once connected (both move only by proxied, applied bytes).
 */

import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Server } from '../server/server';
import type { Connection } from '../net/connection';
import type { Session } from '../commands/context';
import type { Command } from '../commands/table';
import { clientTlsOptions } from '../net/tls';
import { formatAddr } from '../net/address';
import { unlinkQuietly } from '../persistence/fsutil';
import { loadFromDisk, loadFromMemory, restartAofAfterSync, LoadFailed, type LoadHost } from './link-load';
import { PrimarySession } from './link-session';
import { Inbox, LinkDown, encodeArgv, socketErrorText } from './link-io';

export const READONLY_ERR = "READONLY You can't write against a read only replica.";
export const MASTERDOWN_ERR = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
/** The AOF loader's session id (Redis's CLIENT_ID_AOF): obeyed like the primary. */
const AOF_CLIENT_ID = Number.MAX_SAFE_INTEGER;
const RUN_ID_SIZE = 40;

export type LinkState = 'connect' | 'connecting' | 'handshake' | 'transfer' | 'connected';

const ROLE_STATE: Record<LinkState, string> = { connect: 'connect', connecting: 'connecting', handshake: 'handshake', transfer: 'sync', connected: 'connected' };

export class ReplicaLink {
  state: LinkState = 'connect';
  /** the primary's session while connected (Redis's server.master) */
  session: PrimarySession | null = null;
  /** the last primary's session, kept to PSYNC from (Redis's server.cached_master) */
  cached: PrimarySession | null = null;
  /** unix seconds since the link is down (0: not since REPLICAOF) */
  downSince = 0;
  /** set by FAILOVER: the PSYNC asks the target to take over (PSYNC ... FAILOVER) */
  failoverPsync = false;
  /** told when a PSYNC ends, for FAILOVER ('continue' | 'full' | 'failed') */
  onPsyncResult: ((result: 'continue' | 'full' | 'failed') => void) | null = null;
  private socket: net.Socket | null = null;
  private inbox: Inbox | null = null;
  private attempt = 0;
  /** bytes go to the session (after the sync) rather than to the inbox */
  private streaming = false;
  /** last I/O while connecting, in the handshake or the transfer (ms) */
  private lastIo = 0;
  private transferSize = -1;
  private transferRead = 0;
  private tempFile: string | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly server: Server, public host: string, public port: number) {
    this.timer = setInterval(() => this.cron(), 1000);
    this.timer.unref();
  }

  private cfg(name: string): any {
    return this.server.config.lookup(name)?.value;
  }

  private log(level: 'debug' | 'verbose' | 'notice' | 'warning', msg: string): void {
    this.server.log(level, msg);
  }

  /* ------------------------------------------------------------------ gates (Server.dispatch) */

  /** READONLY for writes (and EXEC of queued writes) from anyone but the primary and the AOF. */
  readOnlyRefusal(conn: Session, cmd: Command): string | null {
    if (this.cfg('replica-read-only') === false || conn.kind === 'master' || conn.id === AOF_CLIENT_ID) return null;
    const write = cmd.isWrite || (cmd.name === 'exec' && conn.multi !== null && conn.multi.some((q) => q.cmd.isWrite));
    return write ? READONLY_ERR : null;
  }

  /** MASTERDOWN for commands without the `stale` flag while the link is down. */
  staleRefusal(conn: Session, cmd: Command): string | null {
    if (this.state === 'connected' || this.cfg('replica-serve-stale-data') !== false) return null;
    const denied = !cmd.flags.has('stale') || (cmd.name === 'exec' && conn.multi !== null && conn.multi.some((q) => !q.cmd.flags.has('stale')));
    return denied ? MASTERDOWN_ERR : null;
  }

  /* ------------------------------------------------------------------ connecting */

  /** connectWithMaster: starts an attempt (the state machine continues in `handshake`). */
  connect(): void {
    const a = ++this.attempt;
    this.streaming = false;
    const inbox = new Inbox();
    this.inbox = inbox;
    let socket: net.Socket;
    const useTls = this.cfg('tls-replication') === true;
    const localAddress = (this.cfg('bind-source-addr') as string | null) ?? undefined;
    try {
      if (useTls) {
        // chain verified against the configured CA only; like Redis, no host-name check
        const opts: tls.ConnectionOptions = { ...clientTlsOptions(this.server.config), host: this.host, port: this.port, checkServerIdentity: () => undefined };
        // bind-source-addr: the TCP socket is made first, TLS runs over it
        if (localAddress !== undefined) opts.socket = net.connect({ host: this.host, port: this.port, localAddress });
        socket = tls.connect(opts);
      } else {
        socket = net.connect({ host: this.host, port: this.port, localAddress });
      }
    } catch (e) {
      this.log('warning', `Unable to connect to MASTER: ${(e as Error).message}`);
      this.state = 'connect';
      return;
    }
    this.socket = socket;
    this.lastIo = Date.now();
    this.state = 'connecting';
    this.log('notice', 'MASTER <-> REPLICA sync started');
    socket.on('data', (chunk: Buffer) => this.onData(a, chunk));
    socket.on('error', (e) => this.onSocketDown(a, socketErrorText(e)));
    socket.on('close', () => this.onSocketDown(a, 'connection lost'));
    socket.once(useTls ? 'secureConnect' : 'connect', () => {
      socket.setNoDelay(this.cfg('repl-disable-tcp-nodelay') !== true);
      void this.handshake(a);
    });
  }

  private onData(a: number, chunk: Buffer): void {
    if (a !== this.attempt) return;
    this.server.updateClock();
    this.lastIo = Date.now();
    if (!this.streaming) {
      this.inbox?.push(chunk);
      return;
    }
    const s = this.session;
    if (s === null) return;
    if (!s.apply(chunk)) this.primaryLost();
    else if (this.server.blocking.hasReady) this.server.blocking.handleReady();
  }

  private onSocketDown(a: number, why: string): void {
    if (a !== this.attempt) return;
    if (this.state === 'connected') {
      this.primaryLost();
      return;
    }
    if (this.state === 'connecting') this.log('warning', `Error condition on socket for SYNC: ${why}`);
    // the handshake or transfer waiting on the inbox fails and cleans up
    this.inbox?.fail(why);
    if (this.state === 'connecting') this.abandon(false);
  }

  /** Closes the attempt's socket; state `connect` (the cron or `reconnect` connects again). */
  private abandon(reconnect: boolean): void {
    this.attempt++;
    this.inbox?.fail('cancelled');
    this.inbox = null;
    const sock = this.socket;
    this.socket = null;
    if (sock !== null && this.session?.socket !== sock) sock.destroy();
    if (this.tempFile !== null) {
      unlinkQuietly(this.tempFile);
      this.tempFile = null;
    }
    this.streaming = false;
    this.state = 'connect';
    if (reconnect) {
      this.log('notice', `Reconnecting to MASTER ${this.host}:${this.port} after failure`);
      this.connect();
    }
  }

  /** cancelReplicationHandshake: true if an attempt (connecting, handshake, transfer) was stopped. */
  cancelHandshake(reconnect: boolean): boolean {
    if (this.state !== 'connecting' && this.state !== 'handshake' && this.state !== 'transfer') return false;
    this.abandon(reconnect);
    return true;
  }

  private send(argv: string[]): void {
    this.socket?.write(encodeArgv(argv), 'latin1');
  }

  /** The next reply line of attempt `a`; throws LinkDown when the attempt was abandoned. */
  private async reply(a: number, inbox: Inbox): Promise<string> {
    const line = await inbox.line();
    if (a !== this.attempt) throw new LinkDown('cancelled');
    this.lastIo = Date.now();
    return line;
  }

  /** syncWithMaster: from the TCP/TLS connection to a running stream. */
  private async handshake(a: number): Promise<void> {
    const inbox = this.inbox!;
    try {
      if (a !== this.attempt) return;
      this.log('notice', 'Non blocking connect for SYNC fired the event.');
      this.state = 'handshake';
      this.send(['PING']);
      const pong = await this.reply(a, inbox);
      if (pong[0] !== '+' && !pong.startsWith('-NOAUTH') && !pong.startsWith('-NOPERM') && !pong.startsWith('-ERR operation not permitted')) {
        this.log('warning', `Error reply to PING from master: '${pong}'`);
        return this.abandon(false);
      }
      this.log('notice', 'Master replied to PING, replication can continue...');
      const auth = this.cfg('masterauth') as string | null;
      const user = this.cfg('masteruser') as string | null;
      const announceIp = this.cfg('replica-announce-ip') as string | null;
      let out = '';
      if (auth) out += encodeArgv(user ? ['AUTH', user, auth] : ['AUTH', auth]);
      out += encodeArgv(['REPLCONF', 'listening-port', String(this.listeningPort())]);
      if (announceIp) out += encodeArgv(['REPLCONF', 'ip-address', announceIp]);
      out += encodeArgv(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
      this.socket!.write(out, 'latin1');
      if (auth) {
        const r = await this.reply(a, inbox);
        if (r[0] === '-') {
          this.log('warning', `Unable to AUTH to MASTER: ${r}`);
          return this.abandon(false);
        }
      }
      const port = await this.reply(a, inbox);
      if (port[0] === '-') this.log('notice', `(Non critical) Master does not understand REPLCONF listening-port: ${port}`);
      if (announceIp) {
        const ip = await this.reply(a, inbox);
        if (ip[0] === '-') this.log('notice', `(Non critical) Master does not understand REPLCONF ip-address: ${ip}`);
      }
      const capa = await this.reply(a, inbox);
      if (capa[0] === '-') this.log('notice', `(Non critical) Master does not understand REPLCONF capa: ${capa}`);
      await this.psync(a, inbox);
    } catch (e) {
      if (a !== this.attempt) return;
      if (this.state === 'transfer') this.log('warning', `I/O error trying to sync with MASTER: ${(e as Error).message}`);
      else this.log('warning', 'Master did not respond to command during SYNC handshake');
      this.abandon(this.state === 'transfer');
    }
  }

  /** REPLCONF listening-port: replica-announce-port, else the TLS port under tls-replication, else port. */
  private listeningPort(): number {
    const announced = Number(this.cfg('replica-announce-port') ?? 0);
    if (announced) return announced;
    const tlsPort = Number(this.cfg('tls-port') ?? 0);
    if (this.cfg('tls-replication') === true && tlsPort) return tlsPort;
    return Number(this.cfg('port'));
  }

  /** slaveTryPartialResynchronization and what follows its answer. */
  private async psync(a: number, inbox: Inbox): Promise<void> {
    const cached = this.cached;
    let id = '?';
    let off = '-1';
    if (cached !== null) {
      id = cached.replid;
      off = String(cached.reploff + 1);
      this.log('notice', `Trying a partial resynchronization (request ${id}:${off}).`);
    } else {
      this.log('notice', 'Partial resynchronization not possible (no cached master)');
    }
    this.send(this.failoverPsync ? ['PSYNC', id, off, 'FAILOVER'] : ['PSYNC', id, off]);
    let r = '';
    // the primary may send newlines to keep the link alive before it answers
    while (r === '') r = await this.reply(a, inbox);
    if (r.startsWith('+FULLRESYNC')) {
      const m = /^\+FULLRESYNC ([^ ]*) (.*)$/.exec(r);
      let replid = '';
      let offset = -1;
      if (m === null || m[1].length !== RUN_ID_SIZE) {
        this.log('warning', 'Master replied with wrong +FULLRESYNC syntax.');
        replid = '0'.repeat(RUN_ID_SIZE);
      } else {
        replid = m[1];
        offset = parseOffset(m[2]);
        this.log('notice', `Full resync from master: ${replid}:${offset}`);
      }
      this.onPsyncResult?.('full');
      return this.fullSync(a, inbox, replid, offset);
    }
    if (r.startsWith('+CONTINUE')) {
      this.onPsyncResult?.('continue');
      return this.continueSync(r.slice(10).trim(), inbox);
    }
    this.onPsyncResult?.('failed');
    if (r.startsWith('-NOMASTERLINK') || r.startsWith('-LOADING')) {
      this.log('notice', `Master is currently unable to PSYNC but should be in the future: ${r}`);
    } else if (r.startsWith('-ERR')) {
      this.log('notice', `Master does not support PSYNC or is in error state (reply: ${r})`);
    } else {
      this.log('warning', `Unexpected reply to PSYNC from master: ${r}`);
    }
    // (Redis falls back to SYNC for pre-2.8 primaries; Redoubt retries PSYNC later instead)
    this.abandon(false);
  }

  /** +CONTINUE [newid]: the cached session resumes; a new primary ID becomes ours, the old one replid2. */
  private continueSync(newId: string, inbox: Inbox): void {
    const s = this.cached!;
    const repl = this.server.replication;
    this.log('notice', 'Successful partial resynchronization with master.');
    if (newId.length === RUN_ID_SIZE && newId !== s.replid) {
      this.log('warning', `Master replication ID changed to ${newId}`);
      repl.replid2 = s.replid;
      repl.secondReplidOffset = repl.offset + 1;
      repl.replid = newId;
      s.replid = newId;
      // our replicas followed the old ID: they reconnect and continue with replid2
      repl.disconnectReplicas();
    }
    this.cached = null;
    if (repl.backlog === null) repl.ensureBacklog();
    this.activate(s);
    this.log('notice', 'MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
    this.startStream(inbox);
  }

  /** The session becomes the live primary on this attempt's socket. */
  private activate(s: PrimarySession): void {
    const sock = this.socket!;
    s.attach(sock, formatAddr(sock.remoteAddress, sock.remotePort), formatAddr(sock.localAddress, sock.localPort));
    s.onClose = () => {
      if (this.session === s) this.primaryLost(!this.server.shuttingDown);
    };
    this.session = s;
    this.server.connections.set(s.id, s as unknown as Connection);
    this.state = 'connected';
    this.downSince = 0;
  }

  /** Bytes already received go to the stream first, then the socket feeds it directly. */
  private startStream(inbox: Inbox): void {
    this.streaming = true;
    this.inbox = null;
    const s = this.session!;
    for (const chunk of inbox.drain()) {
      if (this.session !== s) return;
      if (!s.apply(chunk)) return this.primaryLost();
    }
  }

  /* ------------------------------------------------------------------ full sync */

  private useDisklessLoad(): boolean {
    const mode = this.cfg('repl-diskless-load');
    return mode === 'swapdb' || (mode === 'on-empty-db' && this.server.dbs.every((db) => db.size === 0));
  }

  /** readSyncBulkPayload: receive the RDB, load it, start streaming. */
  private async fullSync(a: number, inbox: Inbox, replid: string, offset: number): Promise<void> {
    const diskless = this.useDisklessLoad();
    this.state = 'transfer';
    this.transferSize = -1;
    this.transferRead = 0;
    let header = '';
    while (header === '') header = await this.reply(a, inbox);
    if (header[0] === '-') {
      this.log('warning', `MASTER aborted replication with an error: ${header.slice(1)}`);
      return this.abandon(true);
    }
    if (header[0] !== '$') {
      this.log('warning', `Bad protocol from MASTER, the first byte is not '$' (we received '${header}'), are you sure the host and port are right?`);
      return this.abandon(true);
    }
    const target = diskless ? 'to parser' : 'to disk';
    let mark: Buffer | null = null;
    if (header.startsWith('$EOF:') && header.length - 5 >= RUN_ID_SIZE) {
      mark = Buffer.from(header.slice(5, 5 + RUN_ID_SIZE), 'latin1');
      this.transferSize = 0;
      this.log('notice', `MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF ${target}`);
    } else {
      const n = Number.parseInt(header.slice(1), 10);
      if (!Number.isSafeInteger(n) || n < 0) {
        this.log('warning', `Bad protocol from MASTER, the first byte is not '$' (we received '${header}'), are you sure the host and port are right?`);
        return this.abandon(true);
      }
      this.transferSize = n;
      this.log('notice', `MASTER <-> REPLICA sync: receiving ${n} bytes from master ${target}`);
    }
    const payload = await this.receivePayload(a, inbox, mark);
    if (payload === null) return;
    let aux: Array<[string, string]>;
    try {
      aux = diskless ? loadFromMemory(this.loadHost(a), payload) : await loadFromDisk(this.loadHost(a), payload);
    } catch (e) {
      if (a !== this.attempt) return;
      if (!(e instanceof LoadFailed)) this.log('warning', `MASTER <-> REPLICA sync: ${(e as Error).message}`);
      return this.abandon(true);
    }
    if (a !== this.attempt) return;
    const dbAux = aux.find(([k]) => k === 'repl-stream-db')?.[1];
    const streamDb = dbAux === undefined ? -1 : Number(dbAux);
    // our history is now the primary's: fresh backlog at its offset, replicas of ours resync
    this.server.replication.adopt(replid, offset);
    this.activate(new PrimarySession(this.server, replid, offset, Number.isInteger(streamDb) ? streamDb : -1));
    this.log('notice', 'MASTER <-> REPLICA sync: Finished with success');
    // an EOF-marked transfer ends with nothing after it: the ACK tells the primary to start streaming
    if (mark !== null) this.sendAck();
    restartAofAfterSync(this.server);
    this.startStream(inbox);
  }

  private loadHost(a: number): LoadHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const link = this;
    return {
      server: this.server,
      current: () => a === this.attempt,
      get tempFile() { return link.tempFile; },
      set tempFile(f: string | null) { link.tempFile = f; },
      discardCached: () => this.discardCached(),
    };
  }

  /** Collects the RDB bytes; the bytes after it stay in the inbox. Null when abandoned. */
  private async receivePayload(a: number, inbox: Inbox, mark: Buffer | null): Promise<Buffer | null> {
    const parts: Buffer[] = [];
    let got = 0;
    let tail = Buffer.alloc(0);
    for (;;) {
      const want = mark === null ? this.transferSize - got : Infinity;
      if (mark === null && want === 0) break;
      const chunk = await inbox.chunk(want);
      if (a !== this.attempt) return null;
      this.lastIo = Date.now();
      this.transferRead += chunk.length;
      if (mark === null) {
        parts.push(chunk);
        got += chunk.length;
        continue;
      }
      // the mark may straddle two reads: search the previous read's last bytes too
      const hay = tail.length === 0 ? chunk : Buffer.concat([tail, chunk]);
      const at = hay.indexOf(mark);
      if (at < 0) {
        parts.push(chunk);
        got += chunk.length;
        tail = Buffer.from(hay.subarray(Math.max(0, hay.length - (RUN_ID_SIZE - 1))));
        continue;
      }
      const end = got - tail.length + at;
      parts.push(chunk);
      inbox.unshift(hay.subarray(at + RUN_ID_SIZE));
      this.transferRead -= hay.length - at - RUN_ID_SIZE;
      return Buffer.concat(parts).subarray(0, end);
    }
    return Buffer.concat(parts);
  }

  /* ------------------------------------------------------------------ the live link */

  /** REPLCONF ACK <reploff>, straight to the primary (the session's replies are dropped). */
  sendAck(): void {
    const s = this.session;
    if (s === null || s.socket === null) return;
    const off = String(s.reploff);
    s.socket.write(`*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$${off.length}\r\n${off}\r\n`, 'latin1');
  }

  /**
   * The live primary went away (socket, CLIENT KILL TYPE master, timeout, protocol error): its
   * session is cached for a PSYNC unless the stream was malformed, and we reconnect at once.
   */
  primaryLost(reconnect = true): void {
    const s = this.session;
    if (s === null) return;
    this.session = null;
    this.attempt++;
    this.streaming = false;
    this.log('warning', 'Connection with master lost.');
    this.server.removeConnection(s as unknown as Connection);
    const sock = s.socket;
    s.detach();
    s.closed = true;
    sock?.destroy();
    this.socket = null;
    if (!s.protocolError) {
      this.log('notice', 'Caching the disconnected master state.');
      this.discardCached(false);
      this.cached = s;
    }
    this.state = 'connect';
    this.downSince = Math.floor(Date.now() / 1000);
    if (reconnect) {
      this.log('notice', `Reconnecting to MASTER ${this.host}:${this.port}`);
      this.connect();
    }
  }

  discardCached(log = true): void {
    if (this.cached === null) return;
    if (log) this.log('notice', 'Discarding previously cached master state.');
    this.cached = null;
  }

  /** replicationCacheMasterUsingMyself: a primary turning replica offers its own history to PSYNC. */
  cacheMyself(): void {
    const repl = this.server.replication;
    this.log('notice', 'Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.');
    this.cached = new PrimarySession(this.server, repl.replid, repl.offset, -1);
  }

  /** replicationCron's replica half (once a second). */
  cron(): void {
    if (this.server.shuttingDown) return;
    const now = Date.now();
    const timeoutMs = Number(this.cfg('repl-timeout')) * 1000;
    if ((this.state === 'connecting' || this.state === 'handshake') && now - this.lastIo > timeoutMs) {
      this.log('warning', 'Timeout connecting to the MASTER...');
      this.cancelHandshake(true);
    }
    if (this.state === 'transfer' && now - this.lastIo > timeoutMs) {
      this.log('warning', "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
      this.cancelHandshake(true);
    }
    if (this.state === 'connected' && this.session !== null && now - this.session.lastInteraction > timeoutMs) {
      this.log('warning', 'MASTER timeout: no data nor PING received...');
      this.primaryLost();
    }
    if (this.state === 'connect') {
      this.log('notice', `Connecting to MASTER ${this.host}:${this.port}`);
      this.connect();
    }
    this.sendAck();
  }

  /** Ends the link for good (REPLICAOF NO ONE, another primary, shutdown). */
  close(): void {
    if (this.session !== null) this.primaryLost(false);
    this.cancelHandshake(false);
    this.attempt++;
    clearInterval(this.timer);
  }

  /* ------------------------------------------------------------------ INFO, ROLE, RDB aux */

  /** The replica lines of INFO replication (between role and connected_slaves), Redis 7.0's order. */
  infoFields(): Array<[string, string | number]> {
    const nowSec = Math.floor(Date.now() / 1000);
    const s = this.session ?? this.cached;
    const out: Array<[string, string | number]> = [
      ['master_host', this.host],
      ['master_port', this.port],
      ['master_link_status', this.state === 'connected' ? 'up' : 'down'],
      ['master_last_io_seconds_ago', this.session !== null ? nowSec - Math.floor(this.session.lastInteraction / 1000) : -1],
      ['master_sync_in_progress', this.state === 'transfer' ? 1 : 0],
      ['slave_read_repl_offset', s !== null ? s.readReploff : 1],
      ['slave_repl_offset', s !== null ? s.reploff : 1],
    ];
    if (this.state === 'transfer') {
      const perc = this.transferSize > 0 ? (this.transferRead / this.transferSize) * 100 : 0;
      out.push(
        ['master_sync_total_bytes', this.transferSize],
        ['master_sync_read_bytes', this.transferRead],
        ['master_sync_left_bytes', this.transferSize - this.transferRead],
        ['master_sync_perc', perc.toFixed(2)],
        ['master_sync_last_io_seconds_ago', nowSec - Math.floor(this.lastIo / 1000)],
      );
    }
    if (this.state !== 'connected') out.push(['master_link_down_since_seconds', this.downSince ? nowSec - this.downSince : -1]);
    out.push(
      ['slave_priority', Number(this.cfg('replica-priority') ?? 100)],
      ['slave_read_only', this.cfg('replica-read-only') === false ? 0 : 1],
      ['replica_announced', this.cfg('replica-announced') === false ? 0 : 1],
    );
    return out;
  }

  /** ROLE on a replica: host, port, link state, applied offset (-1 while not connected). */
  roleInfo(): { host: string; port: number; state: string; offset: number } {
    return { host: this.host, port: this.port, state: ROLE_STATE[this.state], offset: this.session?.reploff ?? -1 };
  }

  /** REPL_STATE_CONNECTED: sub-replicas may sync from us */
  isConnected(): boolean {
    return this.state === 'connected';
  }

  /** repl-stream-db for an RDB saved on this replica (rdbPopulateSaveInfo); -1 when unknown. */
  streamDb(): number {
    return (this.session ?? this.cached)?.dbIndex ?? -1;
  }
}

function parseOffset(s: string): number {
  const n = Number.parseInt(s, 10);
  return Number.isSafeInteger(n) ? n : -1;
}
