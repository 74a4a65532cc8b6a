/*
 * HRANDFIELD key [count [WITHVALUES]], as Redis 7.0's hrandfieldCommand.
 *
 * The cases follow Redis, so the shape of every reply is the same (only which fields are picked is
 * random):
 *  - no count: one bulk field (null when the key is missing);
 *  - count 0: an empty array; negative count (or 1): |count| independent picks, repeats allowed;
 *  - count >= size: the whole hash in iteration order (insertion order for a listpack);
 *  - otherwise `count` distinct fields: a partial shuffle of all fields when count is close to the
 *    size (count * 3 > size), else random picks deduplicated with a Set (expected O(count)).
 * WITHVALUES replies field/value pairs: a flat array in RESP2, an array of 2-arrays in RESP3.
 * Picks from a listpack go through one O(n) array copy (Redis walks its listpack too); hashtable
 * picks are O(1) each through the ScanMap.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { ERR } from './util';
import { lookupRead, keySpec, KEY_ARG, optIs } from './strings-shared';
import { writeRepeatedPicks } from './scan-shared';
import { hashArrays, hashEntries, hashGet, hashLen, hashRandomField } from '../data/hashtype';
import { parseInt64 } from '../data/strnum';

const OUT_OF_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
/** How sub-strategy 3 (shuffle all) is chosen over random picks, as Redis's HRANDFIELD_SUB_STRATEGY_MUL. */
const SUB_STRATEGY_MUL = 3;

function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

function hrandfield(ctx: Ctx): void {
  const argv = ctx.argv;
  if (argv.length >= 3) {
    const l = parseInt64(argv[2]);
    if (l === null) return ctx.reply.error(ERR.NOT_INTEGER);
    if (l === -9223372036854775808n) return ctx.reply.error(OUT_OF_RANGE);
    if (argv.length > 4 || (argv.length === 4 && !optIs(argv[3], 'WITHVALUES'))) return ctx.reply.error(ERR.SYNTAX);
    const withValues = argv.length === 4;
    // field/value pairs double the reply length, which must stay a 64-bit count
    if (withValues && (l < -4611686018427387903n || l > 4611686018427387903n)) return ctx.reply.error('ERR value is out of range');
    return withCount(ctx, l, withValues);
  }
  const o = lookupRead(ctx, argv[1]);
  if (o === undefined) return ctx.reply.nullBulk();
  if (o.type !== 'hash') return ctx.reply.error(ERR.WRONGTYPE);
  if (o.enc === 'hashtable') return ctx.reply.bulk(hashRandomField(o));
  const { fields } = hashArrays(o);
  ctx.reply.bulk(fields[Math.floor(Math.random() * fields.length)]);
}

function withCount(ctx: Ctx, exact: number | bigint, withValues: boolean): void {
  const l = Number(exact);
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.array(0);
  if (o.type !== 'hash') return ctx.reply.error(ERR.WRONGTYPE);
  const size = hashLen(o);
  const uniq = l >= 0;
  const count = Math.abs(l);
  if (count === 0) return ctx.reply.array(0);
  const r = ctx.reply;
  const resp3 = r.resp === 3;
  const pair = (f: string, v: string | undefined): string => {
    if (!withValues) return bulk(f);
    return (resp3 ? '*2\r\n' : '') + bulk(f) + bulk(v as string);
  };

  if (!uniq || count === 1) {
    const mark = r.out.length;
    // the header must be exact even beyond 2^53 (the reply is then cut short, see replyTooLarge)
    const abs = typeof exact === 'bigint' ? (exact < 0n ? -exact : exact) : count;
    r.raw('*' + (withValues && !resp3 ? BigInt(abs) * 2n : abs) + '\r\n');
    const big = o.enc === 'hashtable';
    const arrays = big ? null : hashArrays(o);
    writeRepeatedPicks(ctx, mark, count, () => {
      if (arrays === null) {
        const f = hashRandomField(o);
        return pair(f, withValues ? hashGet(o, f) : undefined);
      }
      const j = Math.floor(Math.random() * arrays.fields.length);
      return pair(arrays.fields[j], arrays.values[j]);
    });
    return;
  }

  const n = Math.min(count, size);
  r.array(withValues && !resp3 ? n * 2 : n);
  let out = '';
  if (count >= size) {
    for (const [f, v] of hashEntries(o)) out += pair(f, v);
  } else if (count * SUB_STRATEGY_MUL > size || o.enc === 'listpack') {
    // pick `count` distinct positions with a partial Fisher-Yates shuffle
    const { fields, values } = hashArrays(o);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const tf = fields[i];
      fields[i] = fields[j];
      fields[j] = tf;
      const tv = values[i];
      values[i] = values[j];
      values[j] = tv;
      out += pair(fields[i], values[i]);
    }
  } else {
    const seen = new Set<string>();
    while (seen.size < count) {
      const f = hashRandomField(o);
      if (seen.has(f)) continue;
      seen.add(f);
      out += pair(f, withValues ? hashGet(o, f) : undefined);
    }
  }
  r.raw(out);
}

export const HRANDFIELD: CommandSpec = command({
  name: 'hrandfield', arity: -2, flags: ['readonly'], categories: ['hash'], keys: [keySpec(['RO', 'access'])],
  tips: ['nondeterministic_output'],
  docs: {
    summary: 'Returns one or more random fields of a hash, optionally with their values.', since: '6.2.0', group: 'hash',
    complexity: 'O(N), N the number of fields returned.',
    arguments: [KEY_ARG, {
      name: 'options', type: 'block', flags: ['optional'],
      arguments: [{ name: 'count', type: 'integer' }, { name: 'withvalues', type: 'pure-token', token: 'WITHVALUES', flags: ['optional'] }],
    }],
  },
  handler: hrandfield,
});
