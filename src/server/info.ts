/*
 * INFO: the sections of Redis 7.0.15, field names and order unchanged so monitoring tools parse
 * them, with values read live from this process and this server.
 *
 * Design: one function per section, each returning its lines; `infoString` picks sections the way
 * Redis does (names case-insensitive, "default", "all", "everything", unknown names ignored, fixed
 * section order whatever the argument order). A field whose subsystem does not exist in Redoubt
 * reports that subsystem's idle state (no fork ever happened, no AOF, no Lua VM), never an
 * invented figure. Fields Redis 7.0 does not have: `redoubt_version` (end of # Server) and the
 * four `acl_access_denied_*` counters Redis 7.2 added (end of # Stats), then the `redoubt_*`
 * admission counters (refusals by reason, AUTH refused by `from:`, auth-timeout closes).
 */

import { percentileName } from './latency-histogram';
import { replicationInfo } from '../replication/info';
import * as os from 'node:os';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import type { Server } from './server';
import { REDIS_COMPAT_VERSION } from '../commands/connection';
import { clientBytes } from './memory';
import { auditInfoLines } from '../audit/log';
import { selfAudit } from '../audit/self';

const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace'];
const ALL_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace'];

/** Redis's bytesToHuman. */
export function bytesToHuman(n: number): string {
  const units: [number, string][] = [[1024 ** 5, 'P'], [1024 ** 4, 'T'], [1024 ** 3, 'G'], [1024 ** 2, 'M'], [1024, 'K']];
  for (const [size, u] of units) if (n >= size) return `${(n / size).toFixed(2)}${u}`;
  return `${n}B`;
}

/** Seconds.microseconds, as Redis prints getrusage() times. */
function cpuSeconds(usec: number): string {
  return `${Math.floor(usec / 1e6)}.${String(Math.floor(usec % 1e6)).padStart(6, '0')}`;
}

/**
 * Instantaneous metrics: every 100 ms the cron records the growth of a counter; the reported rate
 * is the mean of the last 16 samples, per second (Redis's trackInstantaneousMetric).
 */
export class InstantMetric {
  private samples = new Array<number>(16).fill(0);
  private idx = 0;
  private lastTime = 0;
  private lastValue = 0;
  track(now: number, value: number): void {
    if (this.lastTime !== 0 && now > this.lastTime) {
      this.samples[this.idx] = ((value - this.lastValue) * 1000) / (now - this.lastTime);
      this.idx = (this.idx + 1) % 16;
    }
    this.lastTime = now;
    this.lastValue = value;
  }
  get(): number {
    let sum = 0;
    for (const s of this.samples) sum += s;
    return sum / 16;
  }
}

export class InfoState {
  readonly ops = new InstantMetric();
  readonly netIn = new InstantMetric();
  readonly netOut = new InstantMetric();
  peakMemory = 0;
  /** replication id: a server that never had a primary is the origin of its own history */
  readonly replid = crypto.randomBytes(20).toString('hex');
  readonly buildId = crypto.createHash('sha1').update(`redoubt ${versionOf()} node ${process.version}`).digest('hex').slice(0, 16);
  private lastSample = 0;

  /** Called from the server cron; samples at most every 100 ms. */
  sample(server: Server): void {
    const now = server.now;
    if (now - this.lastSample < 100) return;
    this.lastSample = now;
    this.ops.track(now, server.stats.totalCommands);
    this.netIn.track(now, server.stats.netInputBytes);
    this.netOut.track(now, server.stats.netOutputBytes);
    this.usedMemory();
  }

  usedMemory(): number {
    const m = process.memoryUsage();
    const used = m.heapUsed + m.external;
    if (used > this.peakMemory) this.peakMemory = used;
    return used;
  }
}

function versionOf(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require('../../../package.json').version as string;
  } catch {
    return '0.0.0';
  }
}

type Lines = (string | [string, string | number])[];

function render(title: string, lines: Lines): string {
  let s = `# ${title}\r\n`;
  for (const l of lines) s += typeof l === 'string' ? l + '\r\n' : `${l[0]}:${l[1]}\r\n`;
  return s;
}

function cfg(server: Server, name: string, fallback: string): string {
  const d = server.config.lookup(name);
  return d === undefined ? fallback : String(d.value);
}

function serverSection(server: Server, st: InfoState): Lines {
  const now = Date.now();
  const uptime = Math.floor((now - server.startTime) / 1000);
  const port = server.config.get('port');
  const usec = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
  const multiplexing = process.platform === 'linux' ? 'epoll' : process.platform === 'win32' ? 'iocp' : 'kqueue';
  return [
    ['redis_version', REDIS_COMPAT_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', st.buildId],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', process.arch.endsWith('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', multiplexing],
    ['atomicvar_api', 'none'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', server.runId],
    ['tcp_port', port],
    ['server_time_usec', usec.toString()],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', server.hz],
    ['configured_hz', server.config.get('hz')],
    ['lru_clock', Math.floor(now / 1000) & 0xffffff],
    ['executable', path.resolve(process.argv[1] ?? process.execPath)],
    ['config_file', server.config.configFile ? path.resolve(server.config.configFile) : ''],
    ['io_threads_active', 0],
    ['redoubt_version', versionOf()],
  ];
}

function clientsSection(server: Server): Lines {
  let clients = 0;
  let maxIn = 0;
  let maxOut = 0;
  for (const c of server.connections.values()) {
    // replicas and monitors are counted apart, as Redis keeps them on its replica list
    if (!c.monitor && c.kind !== 'replica') clients++;
    if (c.parser.pending > maxIn) maxIn = c.parser.pending;
    const out = c.outputPending;
    if (out > maxOut) maxOut = out;
  }
  return [
    ['connected_clients', clients],
    ['cluster_connections', 0],
    ['maxclients', server.maxClients],
    ['client_recent_max_input_buffer', maxIn],
    ['client_recent_max_output_buffer', maxOut],
    ['blocked_clients', server.blocking.count + server.replication.source.waitingClients],
    ['tracking_clients', server.tracking.clientCount],
    ['clients_in_timeout_table', server.blocking.withTimeout],
  ];
}

function memorySection(server: Server, st: InfoState): Lines {
  const m = process.memoryUsage();
  // used_memory follows the dataset estimate (src/server/memory.ts), not the garbage-laden heap
  const acct = server.evictor.mem;
  acct.sampleClients();
  const used = acct.used();
  const peak = acct.peak;
  const startup = acct.startup;
  const dataset = acct.dataset();
  const overhead = used - dataset;
  const rss = m.rss;
  const total = os.totalmem();
  const maxmemory = Number(cfg(server, 'maxmemory', '0'));
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b).toFixed(2);
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', rss],
    ['used_memory_rss_human', bytesToHuman(rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', `${peak === 0 ? '0.00' : ((used * 100) / peak).toFixed(2)}%`],
    ['used_memory_overhead', overhead],
    ['used_memory_startup', startup],
    ['used_memory_dataset', dataset],
    ['used_memory_dataset_perc', `${used - startup <= 0 ? '0.00' : ((dataset * 100) / (used - startup)).toFixed(2)}%`],
    ['allocator_allocated', m.heapUsed],
    ['allocator_active', m.heapTotal],
    ['allocator_resident', rss],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', '0B'],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', 0],
    ['number_of_functions', 0],
    ['number_of_libraries', 0],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', '0B'],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', '0B'],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', cfg(server, 'maxmemory-policy', 'noeviction')],
    ['allocator_frag_ratio', ratio(m.heapTotal, m.heapUsed)],
    ['allocator_frag_bytes', m.heapTotal - m.heapUsed],
    ['allocator_rss_ratio', ratio(rss, m.heapTotal)],
    ['allocator_rss_bytes', rss - m.heapTotal],
    ['rss_overhead_ratio', ratio(rss, rss)],
    ['rss_overhead_bytes', 0],
    ['mem_fragmentation_ratio', ratio(rss, used)],
    ['mem_fragmentation_bytes', rss - used],
    ['mem_not_counted_for_evict', server.evictor.notCounted()],
    ['mem_replication_backlog', acct.backlog()],
    ['mem_total_replication_buffers', acct.backlog()],
    ['mem_clients_slaves', clientsOf(server, true)],
    ['mem_clients_normal', clientsOf(server, false)],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', `v8-${process.versions.v8}`],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', 0],
  ];
}

/** Memory of the replica connections (true) or of all the others (false), as eviction counts it. */
function clientsOf(server: Server, replicas: boolean): number {
  let sum = 0;
  for (const c of server.connections.values()) if ((c.kind === 'replica') === replicas) sum += clientBytes(c);
  return sum;
}

function persistenceSection(server: Server): Lines {
  const aof: Lines = server.persistence.aofInfoFields?.() ?? [
    ['aof_enabled', 0], ['aof_rewrite_in_progress', 0], ['aof_rewrite_scheduled', 0],
    ['aof_last_rewrite_time_sec', -1], ['aof_current_rewrite_time_sec', -1], ['aof_last_bgrewrite_status', 'ok'],
    ['aof_rewrites', 0], ['aof_rewrites_consecutive_failures', 0], ['aof_last_write_status', 'ok'],
    ['aof_last_cow_size', 0], ['module_fork_in_progress', 0], ['module_fork_last_cow_size', 0],
  ];
  // aofInfoFields ends with module_fork_*, then the aof_* extras Redis prints while AOF is on
  return [...server.persistence.infoFields(), ...aof];
}

function statsSection(server: Server, st: InfoState): Lines {
  const s = server.stats;
  const kbps = (m: InstantMetric) => (m.get() / 1024).toFixed(2);
  return [
    ['total_connections_received', s.totalConnections],
    ['total_commands_processed', s.totalCommands],
    ['instantaneous_ops_per_sec', Math.floor(st.ops.get())],
    ['total_net_input_bytes', s.netInputBytes],
    ['total_net_output_bytes', s.netOutputBytes],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', server.replication.source.replOutputBytes],
    ['instantaneous_input_kbps', kbps(st.netIn)],
    ['instantaneous_output_kbps', kbps(st.netOut)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', s.rejectedConnections],
    ['sync_full', server.replication.source.syncFull], ['sync_partial_ok', server.replication.source.syncPartialOk], ['sync_partial_err', server.replication.source.syncPartialErr],
    ['expired_keys', s.expiredKeys],
    ['expired_stale_perc', (s.expiredStalePerc * 100).toFixed(2)],
    ['expired_time_cap_reached_count', s.expiredTimeCapReachedCount],
    ['expire_cycle_cpu_milliseconds', Math.floor(s.expireCycleCpuMs)],
    ['evicted_keys', s.evictedKeys],
    ['evicted_clients', server.evictor.evictedClients],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', s.keyspaceHits],
    ['keyspace_misses', s.keyspaceMisses],
    ['pubsub_channels', server.pubsub.channelCount], ['pubsub_patterns', server.pubsub.patternCount],
    ['pubsubshard_channels', server.pubsub.shardChannelCount],
    ['latest_fork_usec', 0], ['total_forks', 0], ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0], ['active_defrag_misses', 0], ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0], ['total_active_defrag_time', 0], ['current_active_defrag_time', 0],
    ['tracking_total_keys', server.tracking.totalKeys], ['tracking_total_items', server.tracking.totalItems],
    ['tracking_total_prefixes', server.tracking.totalPrefixes],
    ['unexpected_error_replies', s.unexpectedErrorReplies],
    ['total_error_replies', s.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', s.totalReadsProcessed],
    ['total_writes_processed', s.totalWritesProcessed],
    ['io_threaded_reads_processed', 0], ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0], ['reply_buffer_expands', 0],
    // Redis 7.2's ACL refusal counters (7.0 has none), last in the section as in 7.2
    ['acl_access_denied_auth', s.aclDeniedAuth],
    ['acl_access_denied_cmd', s.aclDeniedCmd],
    ['acl_access_denied_key', s.aclDeniedKey],
    ['acl_access_denied_channel', s.aclDeniedChannel],
    // Redoubt's admission refusals by reason (src/net/admission.ts)
    ...server.admission.infoLines(),
    // Redoubt's AUTH guard and command rate limits (src/security/guard.ts, ratelimit.ts)
    ...server.guard.infoLines(),
    ...server.rateLimits.infoLines(),
  ];
}

function replicationSection(server: Server): Lines {
  return replicationInfo(server);
}

function cpuSection(): Lines {
  // Node cannot tell the main thread's share from its helper threads': both lines show the process
  const u = process.cpuUsage();
  return [
    ['used_cpu_sys', cpuSeconds(u.system)],
    ['used_cpu_user', cpuSeconds(u.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', cpuSeconds(u.system)],
    ['used_cpu_user_main_thread', cpuSeconds(u.user)],
  ];
}

function commandstatsSection(server: Server): Lines {
  const out: Lines = [];
  const seen = new Set<object>();
  const add = (c: { fullname: string; calls: number; usec: number; rejectedCalls: number; failedCalls: number }) => {
    if (seen.has(c)) return; // a renamed command is still one entry
    seen.add(c);
    if (c.calls === 0 && c.failedCalls === 0 && c.rejectedCalls === 0) return;
    const usec = Math.floor(c.usec);
    const per = c.calls === 0 ? 0 : usec / c.calls;
    out.push(`cmdstat_${c.fullname}:calls=${c.calls},usec=${usec},usec_per_call=${per.toFixed(2)},rejected_calls=${c.rejectedCalls},failed_calls=${c.failedCalls}`);
  };
  for (const c of server.commands.values()) {
    if (c.subcommands) for (const sc of c.subcommands.values()) add(sc);
    else add(c);
  }
  return out;
}

/**
 * latency_percentiles_usec_<command>: the percentiles of latency-tracking-info-percentiles, in
 * microseconds with three decimals, for every command (and subcommand) that has run since the
 * last CONFIG RESETSTAT while latency-tracking was on.
 */
function latencystatsSection(server: Server): Lines {
  const ps = server.config.get('latency-tracking-info-percentiles') as number[];
  const out: Lines = [];
  for (const c of server.commands.values()) {
    for (const x of [c, ...(c.subcommands?.values() ?? [])]) {
      const h = x.latency;
      if (h === null) continue;
      out.push(`latency_percentiles_usec_${x.fullname}:` + ps.map((p) => `p${percentileName(p)}=${(h.percentile(p) / 1000).toFixed(3)}`).join(','));
    }
  }
  return out;
}

function errorstatsSection(server: Server): Lines {
  // Redis keeps error codes in a radix tree: listed in byte order
  const codes = [...server.stats.errorCounts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return codes.map((k) => `errorstat_${k}:count=${server.stats.errorCounts.get(k)}`);
}

function keyspaceSection(server: Server): Lines {
  const out: Lines = [];
  for (const db of server.dbs) {
    if (db.size === 0) continue;
    out.push(`db${db.id}:keys=${db.size},expires=${db.expires.size},avg_ttl=${db.avgTtl}`);
  }
  return out;
}

const SECTIONS: Record<string, [string, (server: Server, st: InfoState) => Lines]> = {
  server: ['Server', serverSection],
  clients: ['Clients', clientsSection],
  memory: ['Memory', memorySection],
  persistence: ['Persistence', persistenceSection],
  stats: ['Stats', statsSection],
  replication: ['Replication', replicationSection],
  cpu: ['CPU', cpuSection],
  modules: ['Modules', () => []],
  commandstats: ['Commandstats', commandstatsSection],
  errorstats: ['Errorstats', errorstatsSection],
  latencystats: ['Latencystats', latencystatsSection],
  cluster: ['Cluster', () => [['cluster_enabled', 0]]],
  keyspace: ['Keyspace', keyspaceSection],
};

/** The INFO text for the given (already lower-cased) section arguments. */
export function infoString(server: Server, st: InfoState, args: string[]): string {
  const wanted = new Set<string>();
  if (args.length === 0) for (const s of DEFAULT_SECTIONS) wanted.add(s);
  for (const a of args) {
    if (a === 'all' || a === 'everything') for (const s of ALL_SECTIONS) wanted.add(s);
    else if (a === 'default') for (const s of DEFAULT_SECTIONS) wanted.add(s);
    else wanted.add(a);
  }
  const parts: string[] = [];
  for (const name of ALL_SECTIONS) {
    if (!wanted.has(name)) continue;
    const [title, fn] = SECTIONS[name];
    parts.push(render(title, fn(server, st)));
  }
  // Redoubt's security section (self-audit score and counts, audit log): only when named, or in
  // `everything`, so `INFO`, `INFO all` and `INFO default` keep Redis 7.0's sections
  if (wanted.has('security') || args.includes('everything')) {
    parts.push(render('Security', [...selfAudit(server).infoLines(), ...auditInfoLines(server.audit)]));
  }
  return parts.join('\r\n');
}
