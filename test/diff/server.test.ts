/*
 * Server commands against redis-server 7.0.15: INFO TIME SLOWLOG MONITOR DEBUG SHUTDOWN (the
 * refusals; a successful SHUTDOWN is in test/interop/shutdown.test.ts).
 */

import { diffSuite } from './harness';

const live = (cmd: string[]) => ({ cmd, live: true });

const CMDS = ['info', 'time', 'slowlog|get', 'slowlog|len', 'slowlog|reset', 'slowlog|help', 'monitor', 'debug', 'shutdown'];

diffSuite('server', [
  {
    name: 'metadata',
    steps: [
      ['COMMAND', 'INFO', ...CMDS], { cmd: ['COMMAND', 'DOCS', ...CMDS], prose: true },
      // Redis lists a container's subcommands in hash-table order, which varies per process
      { cmd: ['COMMAND', 'INFO', 'slowlog'], unordered: true }, { cmd: ['COMMAND', 'DOCS', 'slowlog'], unordered: true, prose: true },
    ],
  },
  {
    name: 'info selection',
    steps: [
      live(['INFO']), live(['INFO', 'server']), ['INFO', 'foo'], ['INFO', 'cluster'], ['INFO', 'CLUSTER', 'cluster'], ['INFO', 'modules'],
      ['INFO', 'keyspace'], ['SET', 'a', '1'], ['SET', 'b', '1'], ['INFO', 'keyspace'], live(['INFO', 'all']), live(['INFO', 'everything']),
      live(['INFO', 'default', 'commandstats']), ['INFO', 'foo', 'bar'],
    ],
  },
  {
    name: 'time',
    steps: [live(['TIME']), ['TIME', 'x']],
  },
  {
    name: 'slowlog',
    steps: [
      ['SLOWLOG'], ['SLOWLOG', 'foo'], { cmd: ['SLOWLOG', 'HELP'], help: true }, ['SLOWLOG', 'HELP', 'x'], ['SLOWLOG', 'RESET'], ['SLOWLOG', 'LEN'],
      ['SLOWLOG', 'GET'], ['SLOWLOG', 'GET', '-2'], ['SLOWLOG', 'GET', 'a'], ['SLOWLOG', 'GET', '-1'], ['SLOWLOG', 'GET', '1', '2'],
      ['SLOWLOG', 'LEN', 'x'], ['SLOWLOG', 'RESET', 'x'], ['slowlog', 'get', '0'],
    ],
  },
  {
    name: 'monitor arity',
    steps: [['MONITOR', 'x']],
  },
  {
    name: 'debug refused by default',
    steps: [['DEBUG'], ['DEBUG', 'SLEEP', '0'], ['DEBUG', 'HELP'], ['DEBUG', 'nosuch'], ['PING']],
  },
  {
    name: 'shutdown refusals',
    steps: [
      ['SHUTDOWN', 'FOO'], ['SHUTDOWN', 'SAVE', 'NOSAVE'], ['SHUTDOWN', 'ABORT', 'NOW'], ['SHUTDOWN', 'ABORT', 'FORCE'],
      ['SHUTDOWN', 'ABORT'], ['shutdown', 'abort'], ['SHUTDOWN', 'NOW', 'FOO'], ['PING'],
    ],
  },
]);

diffSuite('server with debug enabled', [
  {
    name: 'debug subcommands',
    steps: [
      { cmd: ['DEBUG', 'HELP'], help: true }, ['DEBUG', 'FOO'], ['DEBUG', 'SLEEP'], ['DEBUG', 'SLEEP', '0'], ['DEBUG', 'SLEEP', 'x'], ['DEBUG', 'SLEEP', '0.05'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'], ['DEBUG', 'SET-ACTIVE-EXPIRE', 'x'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
      ['DEBUG', 'OBJECT'], ['DEBUG', 'OBJECT', 'nokey'], ['DEBUG', 'OBJECT', 'a', 'b'], ['debug', 'object', 'x'],
    ],
  },
], { redisArgs: ['--enable-debug-command', 'yes'], redoubtArgs: ['--enable-debug-command', 'yes'] });
