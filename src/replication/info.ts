/*
 * INFO replication, field for field as Redis 7.0's genRedisInfoString writes it, for both roles:
 * the replica's own fields come from its link (server.primaryLink.infoFields()), then the part
 * every server shows (its replicas, IDs, offsets, backlog).
 */

import type { Server } from '../server/server';
import type { PrimaryLinkView } from './state';

export function replicationInfo(server: Server): Array<[string, string | number]> {
  const st = server.replication;
  const src = st.source;
  const out: Array<[string, string | number]> = [];
  if (server.role === 'replica') {
    out.push(['role', 'slave']);
    const link = (server as unknown as { primaryLink?: PrimaryLinkView | null }).primaryLink;
    if (link !== null && link !== undefined) out.push(...link.infoFields());
  } else {
    out.push(['role', 'master']);
  }
  out.push(['connected_slaves', src.links.length]);
  const toWrite = server.config.get('min-replicas-to-write') as number;
  const maxLag = server.config.get('min-replicas-max-lag') as number;
  if (toWrite !== 0 && maxLag !== 0) out.push(['min_slaves_good_slaves', src.goodReplicas]);
  const nowSec = Math.floor(Date.now() / 1000);
  let i = 0;
  for (const l of src.links) {
    const state = l.state === 'online' ? 'online' : l.state === 'send_bulk' ? 'send_bulk' : 'wait_bgsave';
    const lag = nowSec - Math.floor(l.ackTime / 1000);
    out.push([`slave${i++}`, `ip=${l.ip},port=${l.conf.listeningPort},state=${state},offset=${l.ackOffset},lag=${lag}`]);
  }
  const b = st.backlog;
  out.push(
    ['master_failover_state', st.failoverState],
    ['master_replid', st.replid],
    ['master_replid2', st.replid2],
    ['master_repl_offset', st.offset],
    ['second_repl_offset', st.secondReplidOffset],
    ['repl_backlog_active', b !== null ? 1 : 0],
    ['repl_backlog_size', st.backlogSize()],
    ['repl_backlog_first_byte_offset', b !== null ? b.firstOffset : 0],
    ['repl_backlog_histlen', b !== null ? b.histlen : 0],
  );
  return out;
}
