/*
 * Replication commands of the primary side: PSYNC, SYNC, REPLCONF, WAIT, ROLE.
 *
 * The handlers parse and answer; the state machine (replica links, full syncs, ACKs, WAIT
 * bookkeeping) lives in src/replication/source.ts. PSYNC and SYNC hand the connection over to it:
 * once they succeed, nothing else is ever written to that connection's reply buffer.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { ERR, parseLongLong } from './util';
import type { Server } from '../server/server';
import type { Connection } from '../net/connection';
import type { PrimaryLinkView } from '../replication/state';

/** Redis's NET_HOST_STR_LEN: an announced address must be shorter. */
const NET_HOST_STR_LEN = 256;
const NOT_INTEGER = 'ERR value is not an integer or out of range';

function serverOf(ctx: Ctx): Server {
  return ctx.server as unknown as Server;
}

function linkOf(server: Server): PrimaryLinkView | null {
  return ((server as unknown as { primaryLink?: PrimaryLinkView | null }).primaryLink) ?? null;
}

function sync(ctx: Ctx): void {
  const server = serverOf(ctx);
  const err = server.replication.source.sync(ctx.client as unknown as Connection, ctx.argv);
  if (err !== null) ctx.reply.error(err);
}

function replconf(ctx: Ctx): void {
  const { argv, reply } = ctx;
  if (argv.length % 2 === 0) return reply.error(ERR.SYNTAX);
  const server = serverOf(ctx);
  const source = server.replication.source;
  const conn = ctx.client as unknown as Connection;
  // REPLCONF ACK / GETACK are stream traffic: they never get a reply
  const first = argv.length > 1 ? argv[1].toLowerCase() : '';
  if (first === 'ack') {
    if (!source.byConn.has(conn)) return;
    const off = parseLongLong(argv[2]);
    if (off !== null) source.ack(conn, Number(off));
    return;
  }
  if (first === 'getack') {
    if (server.role === 'replica') linkOf(server)?.sendAck?.();
    return;
  }
  const conf = source.confOf(conn);
  const next = { ...conf };
  for (let j = 1; j < argv.length; j += 2) {
    const opt = argv[j].toLowerCase();
    const val = argv[j + 1];
    if (opt === 'listening-port') {
      const port = parseLongLong(val);
      if (port === null) return reply.error(NOT_INTEGER);
      // Redis keeps it in a C int
      next.listeningPort = Number(BigInt.asIntN(32, port));
    } else if (opt === 'ip-address') {
      if (val.length >= NET_HOST_STR_LEN) return reply.error(`ERR REPLCONF ip-address provided by replica instance is too long: ${val.length} bytes`);
      next.ipAddress = val;
    } else if (opt === 'capa') {
      const capa = val.toLowerCase();
      if (capa === 'eof') next.capaEof = true;
      else if (capa === 'psync2') next.capaPsync2 = true;
    } else if (opt === 'ack' || opt === 'getack') {
      // only meaningful as the first option; later ones end the command silently, as Redis does
      Object.assign(conf, next);
      return;
    } else if (opt === 'rdb-only') {
      const v = parseLongLong(val);
      if (v === null) return reply.error(NOT_INTEGER);
      if (v < 0n || v > 1n) return reply.error('ERR value is out of range, value must between 0 and 1');
      next.rdbOnly = v === 1n;
    } else {
      return reply.error(`ERR Unrecognized REPLCONF option: ${argv[j]}`);
    }
    // options before a failing one stay applied, as Redis applies them one by one
    Object.assign(conf, next);
  }
  reply.ok();
}

function wait(ctx: Ctx): void {
  const server = serverOf(ctx);
  if (server.role === 'replica') {
    return ctx.reply.error('ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.');
  }
  const num = parseLongLong(ctx.argv[1]);
  if (num === null) return ctx.reply.error(NOT_INTEGER);
  const timeout = parseLongLong(ctx.argv[2]);
  if (timeout === null) return ctx.reply.error('ERR timeout is not an integer or out of range');
  if (timeout < 0n) return ctx.reply.error('ERR timeout is negative');
  const conn = ctx.client as unknown as Connection;
  const mayBlock = !conn.denyBlocking && typeof conn.suspend === 'function' && server.connections.get(conn.id) === conn;
  // a timeout longer than setTimeout's range waits forever in practice
  const ms = timeout > 2147483647n ? 0 : Number(timeout);
  const want = num > 2147483647n ? Infinity : Number(num);
  const n = server.replication.source.wait(conn, want, ms, mayBlock);
  if (n !== null) ctx.reply.int(n);
}

function role(ctx: Ctx): void {
  const server = serverOf(ctx);
  const reply = ctx.reply;
  if (server.role === 'replica') {
    const r = replicaRole(linkOf(server));
    reply.array(5);
    reply.bulk('slave');
    reply.bulk(r.host);
    reply.int(r.port);
    reply.bulk(r.state);
    reply.int(r.offset);
    return;
  }
  const st = server.replication;
  const online = st.source.links.filter((l) => l.state === 'online');
  reply.array(3);
  reply.bulk('master');
  reply.int(st.offset);
  reply.array(online.length);
  for (const l of online) {
    reply.array(3);
    reply.bulk(l.ip);
    reply.bulk(String(l.conf.listeningPort));
    reply.bulk(String(l.ackOffset));
  }
}

function replicaRole(link: PrimaryLinkView | null): { host: string; port: number; state: string; offset: number } {
  if (link === null) return { host: '', port: 0, state: 'none', offset: -1 };
  if (link.roleInfo !== undefined) return link.roleInfo();
  const f = new Map(link.infoFields());
  const up = f.get('master_link_status') === 'up';
  return {
    host: String(f.get('master_host') ?? ''),
    port: Number(f.get('master_port') ?? 0),
    state: up ? 'connected' : Number(f.get('master_sync_in_progress') ?? 0) === 1 ? 'sync' : 'connect',
    offset: up ? Number(f.get('slave_repl_offset') ?? -1) : -1,
  };
}

const SYNC_FLAGS: CommandSpec['flags'] = ['admin', 'noscript', 'no_async_loading', 'no_multi'];

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'psync', arity: -3, flags: SYNC_FLAGS,
    docs: { summary: 'Asks to become a replica, continuing from a replication ID and offset when the backlog allows it.', since: '2.8.0', group: 'server', arguments: [{ name: 'replicationid', type: 'string' }, { name: 'offset', type: 'integer' }] },
    handler: sync,
  }),
  command({
    name: 'sync', arity: 1, flags: SYNC_FLAGS,
    docs: { summary: 'Asks to become a replica with a full copy of the dataset (the protocol before PSYNC).', since: '1.0.0', group: 'server' },
    handler: sync,
  }),
  command({
    name: 'replconf', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'],
    docs: { summary: 'Settings and acknowledgements exchanged on a replication link.', since: '3.0.0', group: 'server', complexity: 'O(1)', doc_flags: ['syscmd'] },
    handler: replconf,
  }),
  command({
    name: 'wait', arity: 3, flags: ['noscript'], categories: ['connection'], tips: ['request_policy:all_shards', 'response_policy:agg_min'],
    docs: { summary: "Blocks until the connection's earlier writes reached a number of replicas, or a timeout passes.", since: '3.0.0', group: 'generic', complexity: 'O(1)', arguments: [{ name: 'numreplicas', type: 'integer' }, { name: 'timeout', type: 'integer' }] },
    handler: wait,
  }),
  command({
    name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], categories: ['admin', 'dangerous'],
    docs: { summary: 'Tells whether this server is a primary or a replica, with its replication offsets and peers.', since: '2.8.12', group: 'server', complexity: 'O(1)' },
    handler: role,
  }),
];
