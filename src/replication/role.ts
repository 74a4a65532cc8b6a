/*
 * Role changes of the server (Redis's replicationSetMaster / replicationUnsetMaster, and the
 * configured `replicaof` at start-up), and the replicaof-allowed-primaries check every one of them
 * goes through (REPLICAOF, FAILOVER's hand-over, the configuration).
 *
 * Turning replica: our own history is offered as the cached primary (a PSYNC may continue it),
 * clients blocked on keys are released with UNBLOCKED and closed, expiry is left to the primary.
 * Turning primary: the inherited history stays valid up to here as replid2, a new replication ID
 * starts, and our replicas reconnect to continue with a partial resync.
 */

import type { Server } from '../server/server';
import { primaryAllowed, type PrimaryEntry } from '../security/primaries';
import { ReplicaLink } from './link';

/** The entries of replicaof-allowed-primaries (empty: any primary). */
export function allowedPrimaries(server: Server): readonly PrimaryEntry[] {
  return (server.config.lookup('replicaof-allowed-primaries')?.value as PrimaryEntry[] | undefined) ?? [];
}

/** Null when `host:port` may be followed, else the refusal (already logged as a warning). */
export function primaryRefusal(server: Server, host: string, port: number, who: string): string | null {
  if (primaryAllowed(allowedPrimaries(server), host, port)) return null;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  server.log('warning', `REPLICAOF ${where} refused: the primary is not listed in replicaof-allowed-primaries (${who})`);
  // the rogue-primary attack is a denied dangerous command: it belongs in the audit trail
  server.audit?.emit('denied', 'replicaof.refused', { primary: where, requested_by: who, reason: 'replicaof-allowed-primaries' });
  return `ERR REPLICAOF to ${where} refused: not listed in replicaof-allowed-primaries`;
}

/** Clients blocked on keys when the server turns replica are told so and closed, as Redis does. */
function disconnectBlockedClients(server: Server): void {
  for (const c of [...server.connections.values()]) {
    if (c.kind === 'master' || !server.blocking.isBlocked(c)) continue;
    server.blocking.remove(c);
    c.reply.error('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)');
    c.closeAfterReply();
    c.unsuspend();
  }
}

/** The server is a replica from now on (its link exists, role, log letter, expiry by the primary). */
function becomeReplica(server: Server, host: string, port: number, existing?: ReplicaLink): ReplicaLink {
  const link = existing ?? new ReplicaLink(server, host, port);
  server.primaryLink = link;
  server.role = 'replica';
  server.logger.role = 'S';
  for (const db of server.dbs) db.replicaExpiry = () => server.runningSession()?.kind === 'master';
  // oom-score-adj-values has a replica's own score
  server.applyOomScore();
  return link;
}

/**
 * The `replicaof` directive follows the role, as Redis's is read from server.masterhost: CONFIG GET
 * shows the current primary and CONFIG REWRITE writes it (or drops the line once we are a primary),
 * which Sentinel relies on when it re-points or promotes a server and then rewrites its file.
 */
function recordPrimary(server: Server, host: string | null, port = 0): void {
  const d = server.config.lookup('replicaof');
  if (d === undefined) return;
  d.value = host === null ? null : [host, port];
  d.shown = host === null ? '' : `${host} ${port}`;
}

/** replicationSetMaster: follow `host:port` from now on (the caller checked the allowlist). */
export function setPrimary(server: Server, host: string, port: number): void {
  let link = server.primaryLink;
  const wasPrimary = link === null;
  if (link !== null) {
    // the current primary's state is cached: the new one may continue the same history
    link.primaryLost(false);
    link.cancelHandshake(false);
    link.host = host;
    link.port = port;
  } else {
    link = new ReplicaLink(server, host, port);
  }
  disconnectBlockedClients(server);
  recordPrimary(server, host, port);
  if (wasPrimary) {
    becomeReplica(server, host, port, link);
    link.cacheMyself();
  }
  link.state = 'connect';
  server.log('notice', `Connecting to MASTER ${host}:${port}`);
  link.connect();
}

/** replicationUnsetMaster: REPLICAOF NO ONE (and a FAILOVER target taking over). */
export function unsetPrimary(server: Server): void {
  const link = server.primaryLink;
  if (link === null) return;
  link.close();
  link.discardCached();
  server.primaryLink = null;
  recordPrimary(server, null);
  server.role = 'master';
  server.logger.role = 'M';
  server.applyOomScore();
  for (const db of server.dbs) db.replicaExpiry = null;
  const repl = server.replication;
  // the inherited history stays valid up to here (replid2), a new one starts: replicas of ours
  // are told by a reconnection and continue with a partial resync
  repl.shiftReplicationId();
  repl.disconnectReplicas();
  repl.forceSelect();
}

/**
 * `replicaof host port` in the configuration: a replica from the start. When the RDB just loaded
 * carries our primary's history (repl-id, repl-offset, repl-stream-db), that history is offered as
 * the cached primary, so a restarted replica continues with a partial resync (as Redis does).
 * The link connects from its cron, within a second.
 */
export function startFromConfig(server: Server): void {
  const v = server.config.lookup('replicaof')?.value as [string, number] | null | undefined;
  if (v === null || v === undefined) return;
  const [host, port] = v;
  if (primaryRefusal(server, host, port, 'replicaof in the configuration') !== null) return;
  const link = becomeReplica(server, host, port);
  const aux = new Map(server.persistence.lastLoadAux);
  const id = aux.get('repl-id');
  const offset = Number(aux.get('repl-offset'));
  const db = Number(aux.get('repl-stream-db'));
  if (id !== undefined && id.length === 40 && Number.isSafeInteger(offset) && offset >= 0 && Number.isInteger(db) && db >= 0) {
    server.replication.replid = id;
    server.replication.offset = offset;
    link.cacheMyself();
    if (db < server.dbs.length) link.cached!.dbIndex = db;
  }
  link.state = 'connect';
}
