/*
 * SORT and SORT_RO: sort the elements of a list, set or sorted set, numerically or
 * lexicographically, by themselves or by weights read from other keys (BY pattern), optionally
 * fetching other keys per element (GET pattern), with LIMIT, ASC/DESC and (SORT only) STORE.
 *
 * Design, following Redis 7.0's sort.c step by step so replies match byte for byte:
 *  - Options are parsed left to right and the first bad one decides the error (a syntax error
 *    before a wrong type: the key is looked up only after parsing). LIMIT takes two 64-bit
 *    integers; STORE is not an option of SORT_RO.
 *  - A BY pattern without '*' means "do not sort". BY with '*' and every GET are refused unless
 *    some selector of the user allows the command with read access to all keys (%R~*, ~* or
 *    allkeys): they read keys the key specs cannot name in advance, so ACL key patterns could not
 *    be enforced on them.
 *  - Unsorted lists and sorted sets keep their own order and fetch only the LIMIT range; an
 *    unsorted set with STORE is sorted ALPHA instead, so what is stored (and replicated) does not
 *    depend on hash table order. A sorted set that SORT reads is converted to its skiplist
 *    encoding for good, as Redis does.
 *  - Weights are computed for every element before sorting (strtod semantics, see
 *    sort-support.ts); one unparsable weight makes the reply an error, after all lookups ran.
 *  - STORE writes a list (or deletes the destination when the result is empty), signals the key,
 *    raises the 'sortstore' (or 'del') event and adds the number of stored elements to dirty.
 * Cost: O(N + M log M) for N elements and M sorted ones, plus one key lookup per element and
 * pattern; the unsorted paths cost O(offset + count) for lists and O(log N + count) for zsets.
 */

import { command, type CommandSpec, type KeyRef, type KeySpecFlag, type ArgSpec } from './table';
import type { Ctx } from './context';
import { ERR, isOpt, parseLongLong } from './util';
import { lookupRead } from './strings-shared';
import { comparator, isConstantPattern, parsePattern, partialSort, sortWeight, type Pattern, type SortItem } from './sort-support';
import { hashField, newListObject, sortSource, stringValue } from './sort-sources';

const NOT_DOUBLE = "ERR One or more scores can't be converted into double";
const ACCESS_FLAGS: readonly KeySpecFlag[] = ['access'];

/**
 * Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess(..., CMD_KEY_ACCESS): may the user run this
 * command with read access to every key? A session whose user has gone (only internal links have
 * none in Redis) is allowed only when it is the replication link.
 */
function hasFullReadAccess(ctx: Ctx): boolean {
  const user = ctx.server.acl.getUser(ctx.client.user);
  if (user === undefined) return ctx.client.kind === 'master';
  return ctx.server.acl.checkCmdWithAllKeys(user, ctx.cmd, ctx.argv, ACCESS_FLAGS);
}

/** Redis's lookupKeyByPattern: the value a BY/GET pattern names for one element, or null. */
function lookupByPattern(ctx: Ctx, p: Pattern, element: string): string | null {
  if (p.self) return element;
  if (p.constant) return null;
  const o = lookupRead(ctx, p.prefix + element + p.suffix);
  if (o === undefined) return null;
  if (p.field !== null) return o.type === 'hash' ? hashField(o, p.field) : null;
  return o.type === 'string' ? stringValue(o) : null;
}

/** A LIMIT bound clamped to [lo, hi] (the inputs are 64-bit, the results fit a JS number). */
function clamp(v: bigint, lo: number, hi: number): number {
  return v < BigInt(lo) ? lo : v > BigInt(hi) ? hi : Number(v);
}

function sortGeneric(ctx: Ctx, readonly: boolean): void {
  const argv = ctx.argv;
  let desc = false;
  let alpha = false;
  let limitStart = 0n;
  let limitCount = -1n;
  let dontsort = false;
  let storekey: string | null = null;
  let sortby: string | null = null;
  const gets: Pattern[] = [];
  let fullAccess: boolean | undefined;

  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const a = argv[j];
    if (isOpt(a, 'ASC')) desc = false;
    else if (isOpt(a, 'DESC')) desc = true;
    else if (isOpt(a, 'ALPHA')) alpha = true;
    else if (isOpt(a, 'LIMIT') && left >= 2) {
      const s = parseLongLong(argv[j + 1]);
      const c = s === null ? null : parseLongLong(argv[j + 2]);
      if (s === null || c === null) return ctx.reply.error(ERR.NOT_INTEGER);
      limitStart = s;
      limitCount = c;
      j += 2;
    } else if (!readonly && isOpt(a, 'STORE') && left >= 1) {
      storekey = argv[++j];
    } else if (isOpt(a, 'BY') && left >= 1) {
      sortby = argv[j + 1];
      // A constant pattern only switches sorting off; a later real pattern does not switch it back.
      if (isConstantPattern(sortby)) dontsort = true;
      else if (!(fullAccess ??= hasFullReadAccess(ctx))) return ctx.reply.error('ERR BY option of SORT denied due to insufficient ACL permissions.');
      j++;
    } else if (isOpt(a, 'GET') && left >= 1) {
      if (!(fullAccess ??= hasFullReadAccess(ctx))) return ctx.reply.error('ERR GET option of SORT denied due to insufficient ACL permissions.');
      gets.push(parsePattern(argv[++j]));
    } else {
      return ctx.reply.error(ERR.SYNTAX);
    }
  }

  const o = lookupRead(ctx, argv[1]);
  if (o !== undefined && o.type !== 'list' && o.type !== 'set' && o.type !== 'zset') return ctx.reply.error(ERR.WRONGTYPE);
  const type = o === undefined ? 'list' : o.type;
  if (dontsort && type === 'set' && storekey !== null) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }
  if (o !== undefined && o.type === 'zset') o.enc = 'skiplist';
  const src = o === undefined ? null : sortSource(o);
  let vectorlen = src === null ? 0 : src.size;

  let start = clamp(limitStart, 0, vectorlen);
  const count = clamp(limitCount, -1, vectorlen);
  let end = count < 0 ? vectorlen - 1 : start + count - 1;
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;

  let elements: string[];
  if (src !== null && dontsort && type !== 'set') {
    // Natural order: read just the requested range, from the tail when DESC.
    if (start !== 0 || end !== vectorlen - 1) vectorlen = end - start + 1;
    elements = end >= start ? src.slice(start, vectorlen, desc) : [];
    end -= start;
    start = 0;
  } else {
    elements = src === null ? [] : src.elements();
  }

  const vector: SortItem[] = elements.map((obj) => ({ obj, score: 0, cmp: null }));
  let conversionError = false;
  if (!dontsort) {
    const by = sortby === null ? null : parsePattern(sortby);
    for (const item of vector) {
      let byval: string | null;
      if (by !== null) {
        byval = lookupByPattern(ctx, by, item.obj);
        if (byval === null) continue;
      } else {
        byval = item.obj;
      }
      if (alpha) {
        if (by !== null) item.cmp = byval;
      } else {
        const w = sortWeight(byval);
        if (w === null) conversionError = true;
        else item.score = w;
      }
    }
    if (!conversionError) {
      const cmp = comparator(alpha, by !== null, storekey !== null, desc);
      // Redis sorts with glibc's qsort (a stable merge sort here), or pqsort for BY with a LIMIT.
      if (by !== null && (start !== 0 || end !== vector.length - 1)) partialSort(vector, cmp, start, end);
      else vector.sort(cmp);
    }
  }

  const outputlen = gets.length ? gets.length * (end - start + 1) : end - start + 1;
  if (conversionError) return ctx.reply.error(NOT_DOUBLE);
  if (storekey === null) {
    ctx.reply.array(outputlen);
    for (let j = start; j <= end; j++) {
      const obj = vector[j].obj;
      if (gets.length === 0) ctx.reply.bulk(obj);
      for (const g of gets) ctx.reply.bulkOrNull(lookupByPattern(ctx, g, obj));
    }
    return;
  }
  const items: string[] = [];
  for (let j = start; j <= end; j++) {
    const obj = vector[j].obj;
    if (gets.length === 0) items.push(obj);
    for (const g of gets) items.push(lookupByPattern(ctx, g, obj) ?? '');
  }
  const db = ctx.db;
  if (outputlen > 0) {
    db.lookup(storekey, ctx.now); // an expired destination is reclaimed (and reported) first
    db.set(storekey, newListObject(items, ctx.server.lruClock));
    ctx.server.signalModifiedKey(db, storekey);
    ctx.server.notifyKeyspaceEvent('l', 'sortstore', storekey, db.id);
    ctx.server.dirty += outputlen;
  } else if (db.delete(storekey)) {
    ctx.server.signalModifiedKey(db, storekey);
    ctx.server.notifyKeyspaceEvent('g', 'del', storekey, db.id);
    ctx.server.dirty++;
  }
  ctx.reply.int(outputlen);
}

const SORTED_KEY_FLAGS: KeySpecFlag[] = ['RO', 'access'];
const PATTERN_KEY_FLAGS: KeySpecFlag[] = ['RO', 'access'];
const STORE_KEY_FLAGS: KeySpecFlag[] = ['OW', 'update'];

/**
 * Redis's sortGetKeys: the sorted key, and the last STORE destination, skipping the arguments of
 * LIMIT, GET and BY so that a pattern spelled "store" is not taken for the option.
 */
function sortKeyRefs(argv: string[]): KeyRef[] {
  const keys: KeyRef[] = [{ index: 1, flags: SORTED_KEY_FLAGS }];
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (isOpt(a, 'LIMIT')) i += 2;
    else if (isOpt(a, 'GET') || isOpt(a, 'BY')) i += 1;
    else if (isOpt(a, 'STORE') && i + 1 < argv.length) store = i + 1;
  }
  if (store > 0) keys.push({ index: store, flags: STORE_KEY_FLAGS });
  return keys;
}

const SORT_ARGS: ArgSpec[] = [
  { name: 'key', type: 'key', key_spec_index: 0 },
  { name: 'pattern', type: 'pattern', key_spec_index: 1, token: 'BY', flags: ['optional'] },
  { name: 'offset_count', type: 'block', token: 'LIMIT', flags: ['optional'], arguments: [
    { name: 'offset', type: 'integer' },
    { name: 'count', type: 'integer' },
  ] },
  { name: 'pattern', type: 'pattern', key_spec_index: 1, token: 'GET', flags: ['optional', 'multiple', 'multiple_token'] },
  { name: 'order', type: 'oneof', flags: ['optional'], arguments: [
    { name: 'asc', type: 'pure-token', token: 'ASC' },
    { name: 'desc', type: 'pure-token', token: 'DESC' },
  ] },
  { name: 'sorting', type: 'pure-token', token: 'ALPHA', flags: ['optional'] },
];

const COMPLEXITY = 'O(N+M*log(M)) for N elements to sort and M elements returned; O(N) when nothing is sorted.';

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'sort', arity: -2, flags: ['write', 'denyoom'], categories: ['set', 'sortedset', 'list', 'dangerous'],
    keys: [
      { flags: SORTED_KEY_FLAGS, begin: { index: 1 }, find: { range: [0, 1, 0] } },
      { flags: PATTERN_KEY_FLAGS, begin: { unknown: true }, find: { unknown: true },
        notes: 'Keys named by BY/GET patterns: unknown, they are built from the sorted elements' },
      { flags: STORE_KEY_FLAGS, begin: { unknown: true }, find: { unknown: true },
        notes: 'The STORE destination: unknown, the keyword may appear anywhere among the options' },
    ],
    docs: {
      summary: 'Sorts the elements of a list, set or sorted set, optionally storing the result.', since: '1.0.0', group: 'generic',
      complexity: COMPLEXITY,
      arguments: [...SORT_ARGS, { name: 'destination', type: 'key', key_spec_index: 2, token: 'STORE', flags: ['optional'] }],
    },
    handler: (ctx) => sortGeneric(ctx, false),
    getKeyRefs: sortKeyRefs,
  }),
  command({
    name: 'sort_ro', arity: -2, flags: ['readonly'], categories: ['set', 'sortedset', 'list', 'dangerous'],
    keys: [
      { flags: SORTED_KEY_FLAGS, begin: { index: 1 }, find: { range: [0, 1, 0] } },
      { flags: PATTERN_KEY_FLAGS, begin: { unknown: true }, find: { unknown: true },
        notes: 'Keys named by BY/GET patterns: unknown, they are built from the sorted elements' },
    ],
    docs: {
      summary: 'Sorts the elements of a list, set or sorted set (read-only SORT).', since: '7.0.0', group: 'generic',
      complexity: COMPLEXITY,
      arguments: SORT_ARGS,
    },
    handler: (ctx) => sortGeneric(ctx, true),
    getKeyRefs: () => [{ index: 1, flags: SORTED_KEY_FLAGS }],
  }),
];
