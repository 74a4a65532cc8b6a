/*
 * Pieces shared by the string command files (strings.ts, strings-num.ts, strings-range.ts).
 *
 * Key lookups come in Redis's two flavours: a read lookup counts a keyspace hit or miss (INFO
 * keyspace_hits/misses), a write lookup does not; both touch the LRU clock and both expire lazily
 * through Database.lookup. Every change to a key goes through Database.set/add/delete so the
 * keyspace's listeners (copy-on-write snapshots, notifications) see it.
 */

import { constants as bufferConstants } from 'node:buffer';
import type { Ctx } from './context';
import type { KeySpec, KeySpecFlag } from './table';
import { RObj } from '../data/keyspace';
import { ByteString } from '../data/bytes';

export function lookupRead(ctx: Ctx, key: string): RObj | undefined {
  const o = ctx.db.lookupTouch(key, ctx.now, ctx.server.lruClock);
  if (o === undefined) ctx.server.stats.keyspaceMisses++;
  else ctx.server.stats.keyspaceHits++;
  return o;
}

export function lookupWrite(ctx: Ctx, key: string): RObj | undefined {
  return ctx.db.lookupTouch(key, ctx.now, ctx.server.lruClock);
}

/**
 * The OBJECT ENCODING Redis's tryObjectEncoding picks for a value: 'int' when it reads back as a
 * signed 64-bit integer in canonical form, 'embstr' up to 44 bytes, else 'raw'. Same answer as
 * keyspace's stringEncoding, without a regex or a BigInt, since SET calls it on every write.
 */
export function encodingOf(v: string): string {
  const n = v.length;
  if (n === 0 || n > 20) return n <= 44 ? 'embstr' : 'raw';
  let i = 0;
  if (v.charCodeAt(0) === 45) {
    if (n === 1) return 'embstr';
    i = 1;
  }
  const first = v.charCodeAt(i);
  if (first === 48) return n === 1 ? 'int' : 'embstr';
  if (first < 49 || first > 57) return 'embstr';
  for (let j = i + 1; j < n; j++) {
    const c = v.charCodeAt(j);
    if (c < 48 || c > 57) return 'embstr';
  }
  const digits = n - i;
  if (digits < 19) return 'int';
  if (digits > 19) return 'embstr';
  // 19 digits: compare with the magnitude of LLONG_MAX / LLONG_MIN digit by digit
  const limit = i === 1 ? '9223372036854775808' : '9223372036854775807';
  return (i === 1 ? v.slice(1) : v) <= limit ? 'int' : 'embstr';
}

/** A string object encoded the way Redis's tryObjectEncoding would encode a SET value. */
export function newString(ctx: Ctx, v: string): RObj {
  return new RObj('string', v, encodingOf(v), ctx.server.lruClock);
}

/** A string object that Redis would hold as a raw SDS (APPEND, SETRANGE results). */
export function newRawString(ctx: Ctx, v: string): RObj {
  return new RObj('string', v, 'raw', ctx.server.lruClock);
}

/**
 * The stored string of `o` as a ByteString to edit in place (Redis's dbUnshareStringValue): a JS
 * string value is converted once (O(n), as Redis copies a shared or embedded value once), and the
 * object becomes 'raw'. Callers must call `touched()` on the result after changing its bytes.
 * Every in-place edit of a stored string starts here, so this is where a copy-on-write snapshot
 * must capture the old value before it changes.
 */
export function unshareString(o: RObj, room = 0): ByteString {
  o.enc = 'raw';
  if (typeof o.value !== 'string') return o.value as ByteString;
  const b = ByteString.fromString(o.value, room);
  o.value = b;
  return b;
}

/**
 * Redis refuses to build a string longer than proto-max-bulk-len (except for its primary's
 * stream). V8 cannot hold a string beyond MAX_STRING_LENGTH (2^29-24 on 64-bit, a little under
 * the 512mb default), so that bound always applies too: we refuse with Redis's own words rather
 * than fail while building the value.
 */
export function checkStringLength(ctx: Ctx, size: number, append: number): boolean {
  const total = size + append;
  let limit = bufferConstants.MAX_STRING_LENGTH;
  if (ctx.client.kind !== 'master') {
    const configured = Number(ctx.server.config.lookup('proto-max-bulk-len')?.value ?? 512 * 1024 * 1024);
    if (configured < limit) limit = configured;
  }
  if (total > limit) {
    ctx.reply.error('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    return false;
  }
  return true;
}

/**
 * Case-insensitive match of an option against an upper-case ASCII token, with C string semantics:
 * Redis compares `char *` arguments, so the argument ends at its first NUL byte ("NX\0junk" is NX).
 * ASCII-only folding, like strcasecmp in the C locale.
 */
export function optIs(arg: string, opt: string): boolean {
  const n = opt.length;
  if (arg.length < n) return false;
  if (arg.length > n && arg.charCodeAt(n) !== 0) return false;
  for (let i = 0; i < n; i++) {
    let c = arg.charCodeAt(i);
    if (c >= 97 && c <= 122) c -= 32;
    if (c !== opt.charCodeAt(i)) return false;
  }
  return true;
}

/** A 64-bit integer (number or bigint) as Redis prints it. */
export function int64String(v: number | bigint): string {
  return typeof v === 'number' ? '' + v : v.toString();
}

/** lazyfree-lazy-* directives decide between DEL and UNLINK when a deletion is propagated. */
export function lazyFlag(ctx: Ctx, name: string): boolean {
  const d = ctx.server.config.lookup(name);
  const v = d?.value;
  return v === true || v === 'yes' || v === 1;
}

/* ------------------------------------------------------------------ metadata helpers */

/** A key spec starting at argv[1] with a range find, as every string command declares. */
export function keySpec(flags: KeySpecFlag[], lastkey = 0, step = 1, notes?: string): KeySpec {
  const ks: KeySpec = { flags, begin: { index: 1 }, find: { range: [lastkey, step, 0] } };
  if (notes !== undefined) ks.notes = notes;
  return ks;
}

export const KEY_ARG = { name: 'key', type: 'key', key_spec_index: 0 } as const;

