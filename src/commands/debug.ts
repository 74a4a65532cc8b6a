/*
 * DEBUG: the subset of Redis's debugging subcommands that tests and tools rely on — SLEEP,
 * SET-ACTIVE-EXPIRE, OBJECT, RELOAD, HELP. Any other subcommand gets Redis's "unknown subcommand" reply.
 *
 * DEBUG carries the `protected` flag: the pipeline refuses it unless `enable-debug-command` is
 * `yes` (or `local` and the caller is local), so nothing here runs on a default server.
 */

import { command } from './table';
import type { Ctx } from './context';
import type { RObj } from '../data/keyspace';
import { isOpt, replyHelp } from './util';
import { subcommandSyntaxError } from './client';

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

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save the RDB, empty the dataset, load the file back. */
function debugReload(ctx: Ctx): void {
  const opts = { merge: false, flush: true, save: true };
  for (let j = 2; j < ctx.argv.length; j++) {
    const o = ctx.argv[j];
    if (isOpt(o, 'MERGE')) opts.merge = true;
    else if (isOpt(o, 'NOFLUSH')) opts.flush = false;
    else if (isOpt(o, 'NOSAVE')) opts.save = false;
    else return ctx.reply.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  }
  const err = ctx.server.persistence.debugReload(opts);
  if (err !== null) return ctx.reply.error(err);
  ctx.reply.ok();
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
  if (isOpt(sub, 'RELOAD')) return debugReload(ctx);
  subcommandSyntaxError(ctx);
}

/** DEBUG HELP: only the subcommands this file implements, in our own words. */
const HELP = [
  'RELOAD [MERGE] [NOFLUSH] [NOSAVE]',
  '    Save the RDB file, empty the dataset and load the file back.',
  '    NOSAVE loads the existing file without saving first; NOFLUSH keeps the current keys',
  '    (a key also in the file is then an error unless MERGE lets the file replace it).',
  'OBJECT <key>',
  '    Show internal details of the value at <key>: encoding, serialized length,',
  '    LRU clock.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    0 stops the background removal of expired keys (they still expire when accessed);',
  '    1 starts it again.',
  'SLEEP <seconds>',
  '    Block the whole server for <seconds>, which may have a fractional part.',
];

export const DEBUG = command({
  name: 'debug', arity: -2, flags: ["admin","noscript","loading","stale","protected"],
  docs: {summary:"Groups the subcommands used to test and inspect the server internals.",since:"1.0.0",group:"server",complexity:"Varies with the subcommand.",doc_flags:["syscmd"]},
  handler: debug,
});
