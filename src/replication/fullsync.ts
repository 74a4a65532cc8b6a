/*
 * Full synchronisation on the primary: an RDB of the dataset at one point of the stream, sent to
 * the replicas waiting for one, followed by the stream from that point.
 *
 * Two transports, chosen as Redis's startBgsaveForReplication chooses them:
 *  - diskless (repl-diskless-sync yes and every waiting replica announced `capa eof`): a
 *    point-in-time Snapshot is encoded straight onto the sockets as `$EOF:<mark>\r\n` + RDB + mark,
 *    throttled to the slowest replica. Started after repl-diskless-sync-delay seconds (or once
 *    repl-diskless-sync-max-replicas are waiting) so several replicas share one snapshot. The
 *    stream starts when the replica's first REPLCONF ACK says it finished loading.
 *  - disk-backed: an ordinary BGSAVE (server.persistence), then the file as `$<len>\r\n` + bytes.
 *    The stream starts right after the file.
 * In both, the replica joins `state.replicas` at the snapshot point, so the writes after it are
 * held for it (ReplicaLink.held) and delivered after the RDB: nothing is lost or applied twice.
 *
 * Invariant: at most one full-sync job runs at a time; replicas arriving meanwhile wait for the
 * next one (or, for a disk job, join it when another replica's held stream can be copied).
 */

import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Snapshot } from '../persistence/snapshot';
import { RdbEncoder } from '../persistence/rdb/encode';
import { RdbStreamSink, auxFields } from '../persistence/rdbfile';
import type { PrimarySource, ReplicaLink } from './source';

/** Socket backlog above which a transfer waits for the slowest replica. */
const HIGH_WATER = 8 * 1024 * 1024;
const FILE_CHUNK = 1 << 20;

interface Job {
  kind: 'diskless' | 'disk';
  links: Set<ReplicaLink>;
  snapshot?: Snapshot;
}

export class FullSyncs {
  private job: Job | null = null;
  /** when each waiting link started waiting (ms), for repl-diskless-sync-delay */
  private readonly waitingSince = new Map<ReplicaLink, number>();

  constructor(private readonly source: PrimarySource) {}

  private get server() {
    return this.source.server;
  }

  isDiskless(link: ReplicaLink): boolean {
    return this.job !== null && this.job.kind === 'diskless' && this.job.links.has(link);
  }

  /** A replica needs a full sync (Redis's syncCommand, cases 1 to 3). */
  request(link: ReplicaLink): void {
    const server = this.server;
    this.waitingSince.set(link, server.now);
    const job = this.job;
    if (job !== null && job.kind === 'disk') {
      const peer = [...job.links].find((l) => l.state === 'wait_bgsave_end' && !l.closed);
      if (peer !== undefined) {
        link.copyHeldFrom(peer);
        this.setup(link, peer.initialOffset, job);
        server.log('notice', 'Waiting for end of BGSAVE for SYNC');
      } else {
        server.log('notice', "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
      }
      return;
    }
    if (job !== null) {
      server.log('notice', 'Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC');
      return;
    }
    const delay = server.config.get('repl-diskless-sync-delay') as number;
    if (server.config.get('repl-diskless-sync') === true && link.conf.capaEof && delay > 0) {
      server.log('notice', 'Delay next BGSAVE for diskless SYNC');
      return;
    }
    if (server.persistence.childType !== null) {
      server.log('notice', 'No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed');
      return;
    }
    this.start();
  }

  /** The replica went away. */
  forget(link: ReplicaLink): void {
    this.waitingSince.delete(link);
    const job = this.job;
    if (job === null || !job.links.delete(link)) return;
    if (job.kind === 'diskless' && job.links.size === 0 && job.snapshot !== undefined) {
      this.server.log('warning', 'Diskless rdb transfer, last replica dropped, killing fork child.');
      job.snapshot.abort('no replica left');
    }
  }

  /** From the server cron: starts a pending sync when its time has come (replicationStartPendingFork). */
  tick(now: number): void {
    if (this.job !== null || this.server.persistence.childType !== null) return;
    let waiting = 0;
    let maxIdle = 0;
    for (const l of this.source.links) {
      if (l.state !== 'wait_bgsave_start') continue;
      waiting++;
      const idle = Math.floor((now - (this.waitingSince.get(l) ?? now)) / 1000);
      if (idle > maxIdle) maxIdle = idle;
    }
    if (waiting === 0) return;
    const cfg = this.server.config;
    const maxReplicas = cfg.get('repl-diskless-sync-max-replicas') as number;
    if (cfg.get('repl-diskless-sync') !== true || (maxReplicas > 0 && waiting >= maxReplicas) || maxIdle >= (cfg.get('repl-diskless-sync-delay') as number)) {
      this.start();
    }
  }

  /** Redis's startBgsaveForReplication, for every replica waiting to start. */
  private start(): void {
    const server = this.server;
    const waiting = this.source.links.filter((l) => l.state === 'wait_bgsave_start' && !l.closed);
    if (waiting.length === 0) return;
    const allEof = waiting.every((l) => l.conf.capaEof);
    const diskless = server.config.get('repl-diskless-sync') === true && allEof;
    server.log('notice', `Starting BGSAVE for SYNC with target: ${diskless ? 'replicas sockets' : 'disk'}`);
    if (diskless) this.startDiskless(waiting);
    else this.startDisk(waiting);
  }

  /** The snapshot point for `link`: +FULLRESYNC, then the stream is held for it from here. */
  private setup(link: ReplicaLink, offset: number, job: Job): void {
    const state = this.source.state;
    link.initialOffset = offset;
    link.state = 'wait_bgsave_end';
    link.ackTime = this.server.now;
    link.transferProgress = this.server.now;
    this.waitingSince.delete(link);
    job.links.add(link);
    // the replica will not know which db the stream has selected: the next write says it
    state.forceSelect();
    if (!link.prePsync) link.queue(Buffer.from(`+FULLRESYNC ${state.replid} ${offset}\r\n`, 'latin1'));
    state.replicas.add(link);
  }

  /* ------------------------------------------------------------------ diskless */

  private startDiskless(links: ReplicaLink[]): void {
    const server = this.server;
    const state = this.source.state;
    const job: Job = { kind: 'diskless', links: new Set() };
    this.job = job;
    const aux = this.auxFields();
    const offset = state.offset;
    for (const l of links) this.setup(l, offset, job);
    const enc = new RdbEncoder({ compress: server.config.get('rdbcompression') === true, checksum: server.config.get('rdbchecksum') === true });
    enc.header(aux);
    const sizes: Array<{ size: number; expires: number }> = [];
    const sink = new RdbStreamSink(enc, sizes);
    // the snapshot point is now: the same turn as the +FULLRESYNC offset above
    const snapshot = new Snapshot(server, sink);
    sizes.push(...snapshot.dbSizes);
    job.snapshot = snapshot;
    const mark = randomBytes(20).toString('hex');
    const send = (chunks: Buffer[]) => {
      for (const c of chunks) for (const l of job.links) l.queue(c);
    };
    send([Buffer.from(`$EOF:${mark}\r\n`, 'latin1')]);
    sink.onDrain = () => {
      send(enc.take());
      return this.throttle(job);
    };
    snapshot.run().then(
      () => {
        enc.footer();
        send(enc.take());
        send([Buffer.from(mark, 'latin1')]);
        this.job = null;
        server.log('notice', `Diskless rdb transfer, done reading from pipe, ${job.links.size} replicas still up.`);
        server.log('notice', 'Background RDB transfer terminated with success');
        for (const l of job.links) this.transferred(l, true);
        this.tick(server.now);
      },
      (e) => {
        this.job = null;
        server.log('warning', `Background transfer error: ${(e as Error).message}`);
        for (const l of [...job.links]) l.close();
      },
    );
  }

  /**
   * Waits until no replica of the job has more than HIGH_WATER bytes unsent. A replica that stops
   * reading holds the transfer here until the cron drops it after repl-timeout (transferProgress).
   */
  private async throttle(job: Job): Promise<void> {
    for (const l of job.links) {
      l.flush();
      if (l.socketPending <= HIGH_WATER) l.transferProgress = Date.now();
      while (!l.closed && l.socketPending > HIGH_WATER) {
        await new Promise<void>((resolve) => {
          const sock = l.conn.socket;
          const done = () => { sock.off('drain', done); sock.off('close', done); resolve(); };
          sock.once('drain', done);
          sock.once('close', done);
        });
        l.transferProgress = Date.now();
      }
    }
  }

  /* ------------------------------------------------------------------ disk */

  private startDisk(links: ReplicaLink[]): void {
    const server = this.server;
    const state = this.source.state;
    const persistence = server.persistence;
    if (persistence.childType !== null || !persistence.startBgsave()) {
      server.log('warning', 'BGSAVE for replication failed');
      for (const l of links) {
        l.queue(Buffer.from("-ERR BGSAVE failed, replication can't continue\r\n", 'latin1'));
        l.flush();
        l.close();
      }
      return;
    }
    const job: Job = { kind: 'disk', links: new Set() };
    this.job = job;
    const offset = state.offset;
    for (const l of links) this.setup(l, offset, job);
    // the manager keeps its running save private; its `done` settles after the manager's own bookkeeping
    const bg = (persistence as unknown as { bg: { done: Promise<void>; aborting: boolean } | null }).bg;
    const file = persistence.rdbFile;
    const finish = (ok: boolean) => {
      if (this.job === job) this.job = null;
      if (!ok) {
        server.log('warning', 'SYNC failed. BGSAVE child returned an error');
        for (const l of [...job.links]) l.close();
      } else {
        void this.sendFile(job, file);
      }
      this.tick(server.now);
    };
    if (bg === null || bg === undefined) {
      finish(false);
      return;
    }
    bg.done.then(() => finish(true), () => finish(false));
  }

  private async sendFile(job: Job, file: string): Promise<void> {
    const links = [...job.links].filter((l) => !l.closed);
    let fd: number;
    let size: number;
    try {
      fd = fs.openSync(file, 'r');
      size = fs.fstatSync(fd).size;
    } catch (e) {
      this.server.log('warning', `SYNC failed. Can't open/stat DB after BGSAVE: ${(e as Error).message}`);
      for (const l of links) l.close();
      return;
    }
    try {
      for (const l of links) {
        l.state = 'send_bulk';
        l.queue(Buffer.from(`$${size}\r\n`, 'latin1'));
      }
      let pos = 0;
      while (pos < size) {
        const buf = Buffer.allocUnsafe(Math.min(FILE_CHUNK, size - pos));
        const n = await new Promise<number>((resolve, reject) => fs.read(fd, buf, 0, buf.length, pos, (err, bytes) => (err ? reject(err) : resolve(bytes))));
        if (n === 0) break;
        pos += n;
        const chunk = n === buf.length ? buf : buf.subarray(0, n);
        for (const l of links) l.queue(chunk);
        await this.throttle({ kind: 'disk', links: new Set(links.filter((l) => !l.closed)) });
      }
    } catch (e) {
      this.server.log('warning', `Read error sending DB to replica: ${(e as Error).message}`);
      for (const l of links) l.close();
      return;
    } finally {
      fs.closeSync(fd);
    }
    for (const l of links) this.transferred(l, false);
  }

  /** The RDB reached the replica's socket: it is online (Redis's updateSlavesWaitingBgsave/putSlaveOnline). */
  private transferred(l: ReplicaLink, diskless: boolean): void {
    if (l.closed) return;
    const server = this.server;
    l.state = 'online';
    l.ackTime = server.now;
    if (l.conf.rdbOnly) {
      // redis-cli --rdb wanted the file only
      l.flush();
      l.conn.closeAfterReply();
      l.conn.flush();
      return;
    }
    if (diskless && !l.prePsync) {
      l.startOnAck = true;
      server.log('notice', `Streamed RDB transfer with replica ${l.name} succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming`);
    } else {
      l.startStream();
      server.log('notice', `Synchronization with replica ${l.name} succeeded`);
    }
    this.source.refreshGoodReplicas();
  }

  /** AUX fields of a replication RDB: Redis's, with repl-stream-db/id/offset before aof-base. */
  private auxFields(): Array<[string, string]> {
    const server = this.server;
    const base = auxFields({
      compress: server.config.get('rdbcompression') === true,
      checksum: server.config.get('rdbchecksum') === true,
      usedMemory: server.infoState.usedMemory(),
    });
    const repl = this.source.state.rdbAux(this.source.state.linkStreamDb()) ?? [];
    const i = base.findIndex(([k]) => k === 'aof-base');
    if (i < 0) return [...base, ...repl];
    return [...base.slice(0, i), ...repl, ...base.slice(i)];
  }
}
