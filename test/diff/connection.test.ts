/*
 * Connection commands against redis-server 7.0.15: PING ECHO QUIT RESET HELLO CLIENT, byte for
 * byte, with live values (ids, addresses) compared by type only, and CLIENT HELP and the COMMAND
 * DOCS prose (our own wording) compared in structure.
 */

import { diffSuite } from './harness';

const live = (cmd: string[]) => ({ cmd, live: true });

const SUBS = ['id', 'setname', 'getname', 'info', 'list', 'kill', 'reply', 'no-evict', 'pause', 'unpause', 'help'].map((s) => `client|${s}`);

diffSuite('connection', [
  {
    name: 'metadata',
    steps: [
      ['COMMAND', 'INFO', 'ping', 'echo', 'quit', 'reset', 'hello', ...SUBS],
      { cmd: ['COMMAND', 'DOCS', 'ping', 'echo', 'quit', 'reset', 'hello', ...SUBS], prose: true },
    ],
  },
  {
    name: 'ping echo',
    steps: [['PING'], ['PING', 'x\x00y'], ['PING', 'a', 'b'], ['ECHO', '\xff\x00'], ['ECHO'], ['ECHO', 'a', 'b'], ['ping']],
  },
  {
    name: 'hello errors',
    steps: [
      ['HELLO', '4'], ['HELLO', '1'], ['HELLO', 'abc'], ['HELLO', '03'], ['HELLO', '-1'],
      ['HELLO', '3', 'SETNAME'], ['HELLO', '3', 'foo'], ['HELLO', '2', 'AUTH', 'default'],
      ['HELLO', '3', 'SETNAME', 'a b'], ['HELLO', '3', 'AUTH', 'nobody', 'pw'],
      ['HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'bad\nname'],
      ['CLIENT', 'GETNAME'], ['PING'],
    ],
  },
  {
    name: 'hello switches protocol',
    steps: [live(['HELLO', '3', 'SETNAME', 'n1']), ['CLIENT', 'GETNAME'], ['GET', 'missing'], live(['HELLO', '2']), ['GET', 'missing'], live(['HELLO']),
      live(['HELLO', '3', 'AUTH', 'default', 'anything']), ['GET', 'missing']],
  },
  {
    name: 'client names',
    steps: [
      ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', 'a b'], ['CLIENT', 'SETNAME', 'é'], ['CLIENT', 'SETNAME', 'x\x7f'],
      ['CLIENT', 'SETNAME', '!~'], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', ''], ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME'], ['CLIENT', 'GETNAME', 'x'], ['CLIENT', 'SETNAME', 'a', 'b'],
    ],
  },
  {
    name: 'client misc',
    steps: [
      live(['CLIENT', 'ID']), ['CLIENT', 'ID', 'x'], ['CLIENT'], ['CLIENT', 'foo'], ['client', 'FOO', 'bar'], { cmd: ['CLIENT', 'HELP'], help: true },
      ['CLIENT', 'HELP', 'x'], live(['CLIENT', 'INFO']), live(['CLIENT', 'LIST']), live(['CLIENT', 'LIST', 'TYPE', 'normal']),
      ['CLIENT', 'LIST', 'TYPE', 'foo'], ['CLIENT', 'LIST', 'TYPE', 'pubsub'], ['CLIENT', 'LIST', 'TYPE', 'master'],
      ['CLIENT', 'LIST', 'TYPE', 'replica'], ['CLIENT', 'LIST', 'TYPE', 'slave'], ['CLIENT', 'LIST', 'ID', '999999'],
      ['CLIENT', 'LIST', 'ID', '1', 'abc'], ['CLIENT', 'LIST', 'ID'], ['CLIENT', 'LIST', 'foo'], ['CLIENT', 'LIST', 'TYPE', 'normal', 'x'],
      ['CLIENT', 'LIST', 'ID', '-5'],
    ],
  },
  {
    name: 'client kill errors',
    steps: [
      ['CLIENT', 'KILL', '1.2.3.4:5'], ['CLIENT', 'KILL', 'id'], ['CLIENT', 'KILL', 'ID', '999999'], ['CLIENT', 'KILL', 'ID', 'abc'],
      ['CLIENT', 'KILL', 'ID', '0'], ['CLIENT', 'KILL', 'ID', '-3'], ['CLIENT', 'KILL', 'TYPE', 'foo'],
      ['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'maybe'], ['CLIENT', 'KILL', 'foo', 'bar'], ['CLIENT', 'KILL', 'ID', '9', 'MAXAGE', '5'],
      ['CLIENT', 'KILL', 'USER', 'nobody'], ['CLIENT', 'KILL', 'LADDR', '1.1.1.1:1'], ['CLIENT', 'KILL', 'ADDR', '1.1.1.1:1'],
      ['CLIENT', 'KILL', 'ID', '1', 'ID'], ['CLIENT', 'KILL', 'TYPE', 'pubsub'], ['CLIENT', 'KILL', 'TYPE', 'master'],
      ['CLIENT', 'KILL', 'TYPE', 'slave'], ['CLIENT', 'KILL', 'TYPE', 'replica'], ['CLIENT', 'KILL', 'USER', 'default', 'TYPE', 'replica'],
      ['CLIENT', 'KILL'], ['PING'],
    ],
  },
  {
    name: 'client kill self',
    steps: [{ cmd: ['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'no'], live: true, closes: true }],
  },
  {
    name: 'client pause arguments',
    steps: [
      ['CLIENT', 'PAUSE'], ['CLIENT', 'PAUSE', 'abc'], ['CLIENT', 'PAUSE', '-1'], ['CLIENT', 'PAUSE', '10', 'foo'],
      ['CLIENT', 'PAUSE', 'abc', 'foo'], ['CLIENT', 'PAUSE', '10', 'write', 'extra'], ['CLIENT', 'PAUSE', '9223372036854775807'],
      ['CLIENT', 'PAUSE', '1.5'], ['CLIENT', 'PAUSE', '0'], ['CLIENT', 'PAUSE', '1', 'WRITE'], ['CLIENT', 'UNPAUSE'], ['CLIENT', 'UNPAUSE', 'x'],
      ['PING'],
    ],
  },
  {
    name: 'client reply',
    steps: [
      ['CLIENT', 'REPLY', 'foo'], ['CLIENT', 'REPLY'],
      { cmd: ['CLIENT', 'REPLY', 'OFF'], replies: 0 }, { cmd: ['SET', 'k', '1'], replies: 0 }, { cmd: ['FOO'], replies: 0 },
      { cmd: ['GET'], replies: 0 }, ['CLIENT', 'REPLY', 'ON'], ['GET', 'k'],
      { cmd: ['CLIENT', 'REPLY', 'SKIP'], replies: 0 }, { cmd: ['GET', 'k'], replies: 0 }, ['GET', 'k'],
      { cmd: ['CLIENT', 'REPLY', 'SKIP'], replies: 0 }, { cmd: ['NOSUCH'], replies: 0 }, ['PING'],
      { cmd: ['CLIENT', 'REPLY', 'OFF'], replies: 0 }, { cmd: ['CLIENT', 'REPLY', 'SKIP'], replies: 0 }, ['CLIENT', 'REPLY', 'ON'],
      // ON inside a skipped command clears the skip: its OK is sent
      { cmd: ['CLIENT', 'REPLY', 'SKIP'], replies: 0 }, ['CLIENT', 'REPLY', 'ON'], ['PING'],
      // SKIP inside a skipped command skips the one after it too
      { cmd: ['CLIENT', 'REPLY', 'SKIP'], replies: 0 }, { cmd: ['CLIENT', 'REPLY', 'SKIP'], replies: 0 }, { cmd: ['PING'], replies: 0 }, ['ECHO', 'back'],
    ],
  },
  {
    name: 'client no-evict',
    steps: [['CLIENT', 'NO-EVICT', 'foo'], ['CLIENT', 'NO-EVICT', 'on'], ['CLIENT', 'NO-EVICT', 'OFF'], ['CLIENT', 'NO-EVICT']],
  },
  {
    name: 'reset',
    steps: [
      ['SELECT', '3'], ['SET', 'k', 'v'], ['CLIENT', 'SETNAME', 'n'], ['RESET'], ['CLIENT', 'GETNAME'], ['GET', 'k'],
      ['RESET', 'x'], { cmd: ['CLIENT', 'REPLY', 'OFF'], replies: 0 }, ['RESET'], ['PING'],
      live(['HELLO', '3']), ['RESET'], ['GET', 'missing'],
    ],
  },
  {
    name: 'quit',
    steps: [['PING'], { cmd: ['QUIT', 'extra'], closes: true }],
  },
]);
