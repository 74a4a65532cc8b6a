/*
 * Blocking sorted-set pops with several clients, against redis-server 7.0.15 and Redoubt at once:
 * BZPOPMIN/BZPOPMAX/BZMPOP served first-come first-served when a key gets members, a client
 * blocked on several keys served by the first that gets data, timeouts (null array), a key of
 * another type leaving clients blocked, MULTI turning a block into an immediate timeout, and the
 * keyspace notifications a served pop emits.
 */

import { multiDiffSuite, type MScript } from './multiconn';

const scripts: MScript[] = [
  {
    name: 'bzpopmin fifo and multiple keys',
    steps: [
      { c: 'a', cmd: ['BZPOPMIN', 'k1', 'k2', '0'] },
      { c: 'b', cmd: ['BZPOPMAX', 'k2', '0'] },
      { c: 'c', cmd: ['BZMPOP', '0', '2', 'k3', 'k2', 'MAX', 'COUNT', '2'] },
      { c: 'x', cmd: ['ZADD', 'k2', '1', 'a', '2', 'b', '3', 'c', '4', 'd'] },
      { c: 'x', cmd: ['ZRANGE', 'k2', '0', '-1', 'WITHSCORES'] },
      { c: 'x', cmd: ['SET', 'k3', 'str'] },
      { c: 'd', cmd: ['BZMPOP', '0', '1', 'k4', 'MIN'] },
      { c: 'x', cmd: ['SET', 'k4', 'str'] },
      { c: 'x', cmd: ['DEL', 'k4'] },
      { c: 'x', cmd: ['ZADD', 'k4', '5', 'e', '6', 'f'] },
      { c: 'x', cmd: ['ZCARD', 'k4'] },
    ],
  },
  {
    name: 'timeouts and multi',
    steps: [
      { c: 'a', cmd: ['BZPOPMIN', 'k', '0.4'] },
      { c: 'b', cmd: ['BZMPOP', '0.4', '1', 'k', 'MIN'] },
      { c: 'x', cmd: ['PING'], sleep: 900 },
      { c: 'a', cmd: ['MULTI'] },
      { c: 'a', cmd: ['BZPOPMIN', 'k', '0'] },
      { c: 'a', cmd: ['BZMPOP', '0', '1', 'k', 'MAX'] },
      { c: 'a', cmd: ['EXEC'] },
    ],
  },
  {
    name: 'served pop notifications',
    steps: [
      { c: 'n', cmd: ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'] },
      { c: 'n', cmd: ['PSUBSCRIBE', '__key*__:*'] },
      { c: 'a', cmd: ['BZPOPMIN', 'z', '0'] },
      { c: 'x', cmd: ['ZADD', 'z', '1', 'a'] },
      { c: 'x', cmd: ['ZADD', 'y', '1', 'a', '2', 'b'] },
      { c: 'x', cmd: ['ZPOPMAX', 'y'] },
      { c: 'x', cmd: ['ZMPOP', '1', 'y', 'MIN'] },
      { c: 'x', cmd: ['ZADD', 'w', '1', 'a', '2', 'b', '3', 'c'] },
      { c: 'x', cmd: ['ZINCRBY', 'w', '1', 'a'] },
      { c: 'x', cmd: ['ZREMRANGEBYSCORE', 'w', '0', '2'] },
      { c: 'x', cmd: ['ZUNIONSTORE', 'u', '1', 'w'] },
      { c: 'x', cmd: ['ZRANGESTORE', 'u', 'w', '5', '6'] },
      { c: 'x', cmd: ['ZREM', 'w', 'c'] },
      { c: 'n', cmd: ['CONFIG', 'SET', 'notify-keyspace-events', ''] },
    ],
  },
];

multiDiffSuite('zsets-blocking', scripts);
