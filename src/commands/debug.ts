/*
 * DEBUG: the subset of Redis's debugging subcommands that tests and tools rely on — SLEEP,
 * SET-ACTIVE-EXPIRE, OBJECT, HELP. Any other subcommand gets Redis's "unknown subcommand" reply.
 *
 * DEBUG carries the `protected` flag: the pipeline refuses it unless `enable-debug-command` is
 * `yes` (or `local` and the caller is local), so nothing here runs on a default server.
 */

import { command } from './table';
import type { Ctx } from './context';
import type { RObj } from '../data/keyspace';
import { isOpt } from './util';
import { replyHelp, subcommandSyntaxError } from './client';

/** strtod/atoi semantics: the numeric prefix of the text, 0 when there is none. */
function leadingNumber(s: string): number {
  const v = Number.parseFloat(s);
  return Number.isNaN(v) ? 0 : v;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** DEBUG SLEEP blocks the whole server, exactly as Redis's does: that is its purpose. */
function debugSleep(seconds: number): void {
  const ms = seconds * 1000;
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

/** Length of an RDB length prefix (rdbSaveLen). */
function rdbLenSize(n: number): number {
  if (n < 1 << 6) return 1;
  if (n < 1 << 14) return 2;
  if (n <= 0xffffffff) return 5;
  return 9;
}

/** Bytes of an integer the RDB format can store in 8/16/32 bits, or 0 when it cannot. */
function rdbIntSize(s: string): number {
  if (s.length > 11 || !/^(0|-?[1-9][0-9]*)$/.test(s)) return 0;
  const v = Number(s);
  if (v >= -128 && v <= 127) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 0;
}

/**
 * serializedlength of a string value: integer encodings, else length prefix plus bytes. Redis
 * compresses strings over 20 bytes with LZF when that saves space; until the RDB codec exists
 * here, those report their uncompressed size. Other types need the RDB codec: null.
 */
function serializedLength(o: RObj): number | null {
  if (o.type !== 'string') return null;
  const s = String(o.value);
  const i = rdbIntSize(s);
  if (i > 0) return i;
  return rdbLenSize(s.length) + s.length;
}

const identities = new WeakMap<RObj, number>();
let nextIdentity = 1;

/** A stable per-object identity in place of a C pointer. */
function identityOf(o: RObj): string {
  let id = identities.get(o);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(o, id);
  }
  return (0x7f0000000000 + id * 16).toString(16);
}

function debugObject(ctx: Ctx): void {
  const key = ctx.argv[2];
  const o = ctx.db.dict.get(key);
  if (o === undefined || ctx.db.isExpired(key, ctx.now)) return ctx.reply.error('ERR no such key');
  const len = serializedLength(o);
  if (len === null) return ctx.reply.error(`ERR DEBUG OBJECT is not available for ${o.type} values yet`);
  // the integers 0..9999 are shared objects in Redis, reported with the shared refcount
  const shared = o.enc === 'int' && !o.privateInt && /^[0-9]{1,4}$/.test(String(o.value));
  const lru = o.lru & 0xffffff;
  const idle = Math.max(0, ctx.server.lruClock - o.lru);
  ctx.reply.simple(`Value at:0x${identityOf(o)} refcount:${shared ? 2147483647 : 1} encoding:${o.enc} serializedlength:${len} lru:${lru} lru_seconds_idle:${idle}`);
}

function debug(ctx: Ctx): void {
  const argv = ctx.argv;
  const sub = argv[1];
  if (argv.length === 2 && isOpt(sub, 'HELP')) return replyHelp(ctx, HELP);
  if (argv.length === 3 && isOpt(sub, 'SLEEP')) {
    debugSleep(leadingNumber(argv[2]));
    return ctx.reply.ok();
  }
  if (argv.length === 3 && isOpt(sub, 'SET-ACTIVE-EXPIRE')) {
    ctx.server.activeExpireEnabled = Math.trunc(leadingNumber(argv[2])) !== 0;
    return ctx.reply.ok();
  }
  if (argv.length === 3 && isOpt(sub, 'OBJECT')) return debugObject(ctx);
  subcommandSyntaxError(ctx);
}

const HELP = [
  "AOF-FLUSH-SLEEP <microsec>",
  "    Server will sleep before flushing the AOF, this is used for testing.",
  "ASSERT",
  "    Crash by assertion failed.",
  "CHANGE-REPL-ID",
  "    Change the replication IDs of the instance.",
  "    Dangerous: should be used only for testing the replication subsystem.",
  "CONFIG-REWRITE-FORCE-ALL",
  "    Like CONFIG REWRITE but writes all configuration options, including",
  "    keywords not listed in original configuration file or default values.",
  "CRASH-AND-RECOVER [<milliseconds>]",
  "    Hard crash and restart after a <milliseconds> delay (default 0).",
  "DIGEST",
  "    Output a hex signature representing the current DB content.",
  "DIGEST-VALUE <key> [<key> ...]",
  "    Output a hex signature of the values of all the specified keys.",
  "ERROR <string>",
  "    Return a Redis protocol error with <string> as message. Useful for clients",
  "    unit tests to simulate Redis errors.",
  "LEAK <string>",
  "    Create a memory leak of the input string.",
  "LOG <message>",
  "    Write <message> to the server log.",
  "HTSTATS <dbid>",
  "    Return hash table statistics of the specified Redis database.",
  "HTSTATS-KEY <key>",
  "    Like HTSTATS but for the hash table stored at <key>'s value.",
  "LOADAOF",
  "    Flush the AOF buffers on disk and reload the AOF in memory.",
  "REPLICATE <string>",
  "    Replicates the provided string to replicas, allowing data divergence.",
  "MALLCTL <key> [<val>]",
  "    Get or set a malloc tuning integer.",
  "MALLCTL-STR <key> [<val>]",
  "    Get or set a malloc tuning string.",
  "OBJECT <key>",
  "    Show low level info about `key` and associated value.",
  "DROP-CLUSTER-PACKET-FILTER <packet-type>",
  "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
  "OOM",
  "    Crash the server simulating an out-of-memory error.",
  "PANIC",
  "    Crash the server simulating a panic.",
  "POPULATE <count> [<prefix>] [<size>]",
  "    Create <count> string keys named key:<num>. If <prefix> is specified then",
  "    it is used instead of the 'key' prefix. These are not propagated to",
  "    replicas. Cluster slots are not respected so keys not belonging to the",
  "    current node can be created in cluster mode.",
  "PROTOCOL <type>",
  "    Reply with a test value of the specified type. <type> can be: string,",
  "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
  "    true, false.",
  "RELOAD [option ...]",
  "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
  "    * MERGE: conflicting keys will be loaded from RDB.",
  "    * NOFLUSH: the existing database will not be removed before load, but",
  "      conflicting keys will generate an exception and kill the server.",
  "    * NOSAVE: the database will be loaded from an existing RDB file.",
  "    Examples:",
  "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
  "      the database.",
  "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
  "      existing RDB file.",
  "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
  "      file to the database.",
  "RESTART [<milliseconds>]",
  "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
  "SDSLEN <key>",
  "    Show low level SDS string info representing `key` and value.",
  "SEGFAULT",
  "    Crash the server with sigsegv.",
  "SET-ACTIVE-EXPIRE <0|1>",
  "    Setting it to 0 disables expiring keys in background when they are not",
  "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
  "    default.",
  "QUICKLIST-PACKED-THRESHOLD <size>",
  "    Sets the threshold for elements to be inserted as plain vs packed nodes",
  "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
  "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
  "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
  "SLEEP <seconds>",
  "    Stop the server for <seconds>. Decimals allowed.",
  "STRINGMATCH-TEST",
  "    Run a fuzz tester against the stringmatchlen() function.",
  "STRUCTSIZE",
  "    Return the size of different Redis core C structures.",
  "LISTPACK <key>",
  "    Show low level info about the listpack encoding of <key>.",
  "QUICKLIST <key> [<0|1>]",
  "    Show low level info about the quicklist encoding of <key>.",
  "    The optional argument (0 by default) sets the level of detail",
  "CLIENT-EVICTION",
  "    Show low level client eviction pools info (maxmemory-clients).",
  "PAUSE-CRON <0|1>",
  "    Stop periodic cron job processing.",
  "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
  "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
  "    In case NEVER is provided the last observed peak will never be reset",
  "    In case RESET is provided the peak reset time will be restored to the default value",
  "REPLYBUFFER RESIZING <0|1>",
  "    Enable or disable the reply buffer resize cron job",
  "CLUSTERLINK KILL <to|from|all> <node-id>",
  "    Kills the link based on the direction to/from (both) with the provided node.",
];

export const DEBUG = command({
  name: 'debug', arity: -2, flags: ["admin","noscript","loading","stale","protected"],
  docs: {summary:"A container for debugging commands",since:"1.0.0",group:"server",complexity:"Depends on subcommand.",doc_flags:["syscmd"]},
  handler: debug,
});
