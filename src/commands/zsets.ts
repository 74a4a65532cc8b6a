/*
 * Sorted-set commands (Redis 7.0's t_zset.c family): the command table. Handlers live by concern
 * in zsets-basic.ts (single members, counts), zsets-range.ts (ZRANGE forms, ZREMRANGEBY*),
 * zsets-store.ts (ZUNION/ZINTER/ZDIFF[STORE], ZINTERCARD) and zsets-pop.ts (pops, blocking pops,
 * ZRANDMEMBER, ZSCAN); the value type is src/data/zset.ts. Metadata mirrors
 * src/commands/z*.json of Redis 7.0 (flags, categories, key specs, arity).
 */

import { command, type CommandSpec, type CommandFlag, type KeySpec, type KeySpecFlag, type Handler } from './table';
import { registerValueCopier } from '../data/keyspace';
import { ZSet } from '../data/zset';
import { BASIC_HANDLERS } from './zsets-basic';
import { RANGE_HANDLERS } from './zsets-range';
import { STORE_HANDLERS } from './zsets-store';
import { POP_HANDLERS } from './zsets-pop';
import { ZSET_ARGS } from './zsets-docs';

registerValueCopier('zset', (z: ZSet) => z.clone());

const H: Record<string, Handler> = { ...BASIC_HANDLERS, ...RANGE_HANDLERS, ...STORE_HANDLERS, ...POP_HANDLERS };

function range(flags: KeySpecFlag[], index = 1, lastkey = 0): KeySpec {
  return { flags, begin: { index }, find: { range: [lastkey, 1, 0] } };
}
function keynum(flags: KeySpecFlag[], index: number): KeySpec {
  return { flags, begin: { index }, find: { keynum: [0, 1, 1] } };
}

const RO = range(['RO', 'access']);

function z(
  name: string, arity: number, flags: CommandFlag[], keys: KeySpec[], since: string, summary: string, complexity: string,
  extra: { tips?: string[]; history?: [string, string][]; deprecated?: string; replacedBy?: string } = {},
): CommandSpec {
  const docs: CommandSpec['docs'] = { summary, since, group: 'sorted-set', complexity };
  if (extra.history) docs.history = extra.history;
  if (extra.deprecated) {
    docs.doc_flags = ['deprecated'];
    docs.deprecated_since = extra.deprecated;
    docs.replaced_by = extra.replacedBy;
  }
  docs.arguments = ZSET_ARGS[name];
  return command({
    name, arity, flags, categories: ['sortedset'], keys, docs, handler: H[name],
    ...(extra.tips ? { tips: extra.tips } : {}),
  });
}

const LOGN = 'O(log(N)) where N is the number of elements in the sorted set.';
const RANGE_C = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.';

export const COMMANDS: CommandSpec[] = [
  z('zadd', -4, ['write', 'denyoom', 'fast'], [range(['RW', 'update'])], '1.2.0', 'Adds members with scores to a sorted set, or updates their scores.', 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    { history: [['2.4.0', 'Accepts multiple elements.'], ['3.0.2', 'Added the `XX`, `NX`, `CH` and `INCR` options.'], ['6.2.0', 'Added the `GT` and `LT` options.']] }),
  z('zincrby', 4, ['write', 'denyoom', 'fast'], [range(['RW', 'access', 'update'])], '1.2.0', 'Adds an increment to the score of a member of a sorted set.', LOGN),
  z('zrem', -3, ['write', 'fast'], [range(['RW', 'delete'])], '1.2.0', 'Removes members from a sorted set.', 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
    { history: [['2.4.0', 'Accepts multiple elements.']] }),
  z('zcard', 2, ['readonly', 'fast'], [range(['RO'])], '1.2.0', 'Returns the number of members of a sorted set.', 'O(1)'),
  z('zscore', 3, ['readonly', 'fast'], [RO], '1.2.0', 'Returns the score of a member of a sorted set.', 'O(1)'),
  z('zmscore', -3, ['readonly', 'fast'], [RO], '6.2.0', 'Returns the scores of several members of a sorted set.', 'O(N) where N is the number of members being requested.'),
  z('zrank', 3, ['readonly', 'fast'], [RO], '2.0.0', 'Returns the position of a member in a sorted set ordered by ascending score.', LOGN),
  z('zrevrank', 3, ['readonly', 'fast'], [RO], '2.0.0', 'Returns the position of a member in a sorted set ordered by descending score.', LOGN),
  z('zcount', 4, ['readonly', 'fast'], [RO], '2.0.0', 'Counts the members of a sorted set whose scores fall in a range.', LOGN),
  z('zlexcount', 4, ['readonly', 'fast'], [RO], '2.8.9', 'Counts the members of a sorted set that fall in a lexicographical range.', LOGN),
  z('zrange', -4, ['readonly'], [RO], '1.2.0', 'Returns the members of a sorted set in a range of ranks, scores or members.', RANGE_C,
    { history: [['6.2.0', 'Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options.']] }),
  z('zrangestore', -5, ['write', 'denyoom'], [range(['OW', 'update']), range(['RO', 'access'], 2)], '6.2.0', 'Stores a range of a sorted set in another key.', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.'),
  z('zrevrange', -4, ['readonly'], [RO], '1.2.0', 'Returns the members of a sorted set in a range of ranks, highest score first.', RANGE_C,
    { deprecated: '6.2.0', replacedBy: '`ZRANGE` with the `REV` argument' }),
  z('zrangebyscore', -4, ['readonly'], [RO], '1.0.5', 'Returns the members of a sorted set in a range of scores.', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).',
    { history: [['2.0.0', 'Added the `WITHSCORES` modifier.']], deprecated: '6.2.0', replacedBy: '`ZRANGE` with the `BYSCORE` argument' }),
  z('zrevrangebyscore', -4, ['readonly'], [RO], '2.2.0', 'Returns the members of a sorted set in a range of scores, highest first.', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).',
    { history: [['2.1.6', '`min` and `max` can be exclusive.']], deprecated: '6.2.0', replacedBy: '`ZRANGE` with the `REV` and `BYSCORE` arguments' }),
  z('zrangebylex', -4, ['readonly'], [RO], '2.8.9', 'Returns the members of a sorted set in a lexicographical range.', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).',
    { deprecated: '6.2.0', replacedBy: '`ZRANGE` with the `BYLEX` argument' }),
  z('zrevrangebylex', -4, ['readonly'], [RO], '2.8.9', 'Returns the members of a sorted set in a lexicographical range, in reverse order.', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).',
    { deprecated: '6.2.0', replacedBy: '`ZRANGE` with the `REV` and `BYLEX` arguments' }),
  z('zremrangebyrank', 4, ['write'], [range(['RW', 'delete'])], '2.0.0', 'Removes the members of a sorted set in a range of ranks.', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.'),
  z('zremrangebyscore', 4, ['write'], [range(['RW', 'delete'])], '1.2.0', 'Removes the members of a sorted set in a range of scores.', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.'),
  z('zremrangebylex', 4, ['write'], [range(['RW', 'delete'])], '2.8.9', 'Removes the members of a sorted set in a lexicographical range.', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.'),
  z('zpopmin', -2, ['write', 'fast'], [range(['RW', 'access', 'delete'])], '5.0.0', 'Removes and returns the members with the lowest scores.', 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.'),
  z('zpopmax', -2, ['write', 'fast'], [range(['RW', 'access', 'delete'])], '5.0.0', 'Removes and returns the members with the highest scores.', 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.'),
  z('bzpopmin', -3, ['write', 'noscript', 'blocking', 'fast'], [range(['RW', 'access', 'delete'], 1, -2)], '5.0.0', 'Removes and returns the lowest-scored member of the first non-empty sorted set, waiting for one if needed.', 'O(log(N)) with N being the number of elements in the sorted set.',
    { history: [['6.0.0', '`timeout` is interpreted as a double instead of an integer.']] }),
  z('bzpopmax', -3, ['write', 'noscript', 'blocking', 'fast'], [range(['RW', 'access', 'delete'], 1, -2)], '5.0.0', 'Removes and returns the highest-scored member of the first non-empty sorted set, waiting for one if needed.', 'O(log(N)) with N being the number of elements in the sorted set.',
    { history: [['6.0.0', '`timeout` is interpreted as a double instead of an integer.']] }),
  z('zmpop', -4, ['write'], [keynum(['RW', 'access', 'delete'], 1)], '7.0.0', 'Removes and returns members from the first non-empty sorted set of several.', 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.'),
  z('bzmpop', -5, ['write', 'blocking'], [keynum(['RW', 'access', 'delete'], 2)], '7.0.0', 'Removes and returns members from the first non-empty sorted set of several, waiting for one if needed.', 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.'),
  z('zrandmember', -2, ['readonly'], [RO], '6.2.0', 'Returns random members of a sorted set.', 'O(N) where N is the number of members returned', { tips: ['nondeterministic_output'] }),
  z('zunion', -3, ['readonly'], [keynum(['RO', 'access'], 1)], '6.2.0', 'Returns the union of sorted sets.', 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.'),
  z('zinter', -3, ['readonly'], [keynum(['RO', 'access'], 1)], '6.2.0', 'Returns the intersection of sorted sets.', 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.'),
  z('zdiff', -3, ['readonly'], [keynum(['RO', 'access'], 1)], '6.2.0', 'Returns the difference between sorted sets.', 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.'),
  z('zunionstore', -4, ['write', 'denyoom'], [range(['OW', 'update']), keynum(['RO', 'access'], 2)], '2.0.0', 'Stores the union of sorted sets in a key.', 'O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.'),
  z('zinterstore', -4, ['write', 'denyoom'], [range(['OW', 'update']), keynum(['RO', 'access'], 2)], '2.0.0', 'Stores the intersection of sorted sets in a key.', 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.'),
  z('zdiffstore', -4, ['write', 'denyoom'], [range(['OW', 'update']), keynum(['RO', 'access'], 2)], '6.2.0', 'Stores the difference between sorted sets in a key.', 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.'),
  z('zintercard', -3, ['readonly'], [keynum(['RO', 'access'], 1)], '7.0.0', 'Returns the number of members in the intersection of sorted sets.', 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.'),
  z('zscan', -3, ['readonly'], [RO], '2.8.0', 'Iterates over the members and scores of a sorted set.', 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    { tips: ['nondeterministic_output'] }),
];
