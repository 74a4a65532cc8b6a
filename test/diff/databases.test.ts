/*
 * Differential scripts for SELECT SWAPDB DBSIZE FLUSHDB FLUSHALL against redis-server 7.0.15.
 */

import { diffSuite, type Script } from './harness';

const scripts: Script[] = [
  {
    name: 'select',
    steps: [
      ['SELECT', '0'], ['SELECT', '15'], ['SET', 'k', 'fifteen'], ['DBSIZE'], ['SELECT', '0'], ['GET', 'k'], ['DBSIZE'],
      ['SELECT', '16'], ['SELECT', '-1'], ['SELECT', 'abc'], ['SELECT', '2147483648'], ['SELECT', '-2147483649'],
      ['SELECT', '99999999999999999999'], ['SELECT', '1.0'], ['SELECT', '01'], ['SELECT', ''], ['SELECT', ' 1'],
      ['SELECT'], ['SELECT', '1', '2'], ['select', '15'], ['GET', 'k'],
    ],
  },
  {
    name: 'swapdb',
    steps: [
      ['SET', 'a', 'zero'], ['SELECT', '1'], ['SET', 'b', 'one'], ['SET', 'c', 'one'], ['EXPIRE', 'c', '100'],
      ['SWAPDB', '0', '1'], ['DBSIZE'], ['GET', 'a'], ['GET', 'b'],
      ['SELECT', '0'], ['DBSIZE'], ['GET', 'b'], ['TTL', 'c'], ['KEYS', 'a'],
      ['SWAPDB', '0', '0'], ['GET', 'b'], ['SWAPDB', '1', '0'], ['GET', 'a'],
      ['SWAPDB', 'a', 'b'], ['SWAPDB', '0', 'b'], ['SWAPDB', '0', '16'], ['SWAPDB', '-1', '0'],
      ['SWAPDB', '2147483648', '0'], ['SWAPDB', '0', '2147483648'], ['SWAPDB', '0'], ['SWAPDB', '0', '1', '2'],
    ],
  },
  {
    name: 'dbsize flushdb flushall',
    steps: [
      ['DBSIZE'], ['MSET', 'a', '1', 'b', '2', 'c', '3'], ['DBSIZE'], ['DBSIZE', 'x'],
      ['SELECT', '2'], ['SET', 'z', '1'], ['FLUSHDB'], ['DBSIZE'], ['SELECT', '0'], ['DBSIZE'],
      ['FLUSHDB', 'ASYNC'], ['DBSIZE'], ['SET', 'a', '1'], ['FLUSHDB', 'sync'], ['DBSIZE'],
      ['FLUSHDB', 'foo'], ['FLUSHDB', 'async', 'x'], ['FLUSHALL', 'x'], ['FLUSHALL', 'ASYNC', 'SYNC'],
      ['SET', 'a', '1'], ['SELECT', '5'], ['SET', 'b', '2'], ['FLUSHALL'], ['DBSIZE'], ['SELECT', '0'], ['DBSIZE'],
      ['SET', 'a', '1'], ['FLUSHALL', 'async'], ['DBSIZE'], ['FLUSHALL', 'SYNC'],
    ],
  },
  {
    name: 'command metadata',
    steps: [['COMMAND', 'INFO', 'select', 'swapdb', 'dbsize', 'flushdb', 'flushall']],
  },
];

diffSuite('databases', scripts);
