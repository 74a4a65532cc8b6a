/*
 * Binary safety, differentially against redis-server: keys and values made of every byte value
 * 0-255 (NUL, CR, LF, high bytes) go through the string and keyspace commands, and the raw reply
 * bytes must be identical — in RESP2 and RESP3. One latin1 character is one byte all the way.
 */

import { diffSuite } from '../diff/harness';

const ALL = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
const REV = ALL.split('').reverse().join('');
const CRLF_KEY = 'k\r\nSET injected 1\r\n';
const NUL_KEY = '\x00';
const HIGH = '\x80\xff\xfe\xc3\xa9';

diffSuite('bytes', [
  {
    name: 'values with every byte value',
    steps: [
      ['SET', 'v', ALL],
      ['GET', 'v'],
      ['STRLEN', 'v'],
      ['GETRANGE', 'v', '0', '15'],
      ['GETRANGE', 'v', '-16', '-1'],
      ['APPEND', 'v', REV],
      ['GETRANGE', 'v', '250', '260'],
      ['SETRANGE', 'v', '10', '\x00\r\n\xff'],
      ['GET', 'v'],
      ['GETSET', 'v', '\r\n'],
      ['GETDEL', 'v'],
      ['GET', 'v'],
      ['ECHO', ALL],
      ['SET', 'e', ''],
      ['GET', 'e'],
      ['STRLEN', 'e'],
    ],
  },
  {
    name: 'keys with every byte value',
    steps: [
      ['SET', ALL, 'all'],
      ['SET', CRLF_KEY, 'crlf'],
      ['SET', NUL_KEY, 'nul'],
      ['SET', HIGH, 'high'],
      ['GET', ALL],
      ['GET', CRLF_KEY],
      ['GET', NUL_KEY],
      ['GET', HIGH],
      ['EXISTS', ALL, CRLF_KEY, NUL_KEY, HIGH, 'injected'],
      ['TYPE', CRLF_KEY],
      ['MGET', ALL, CRLF_KEY, NUL_KEY, HIGH, 'missing'],
      { cmd: ['KEYS', '*'], unordered: true },
      { cmd: ['KEYS', '\x00*'], unordered: true },
      { cmd: ['KEYS', 'k\r*'], unordered: true },
      { cmd: ['KEYS', '\x80*'], unordered: true },
      ['RENAME', ALL, REV],
      ['GET', REV],
      ['EXISTS', ALL],
      ['COPY', REV, ALL],
      ['GET', ALL],
      ['DEL', ALL, REV, CRLF_KEY],
      ['DBSIZE'],
    ],
  },
  {
    name: 'binary keys and values in multi-key commands',
    steps: [
      ['MSET', '\x01', '\x02', '\r', '\n', '\xff', '\x00'],
      ['MGET', '\x01', '\r', '\xff'],
      ['MSETNX', '\x01', 'x', '\x03', 'y'],
      ['INCR', '\x01'],
      ['SET', '\x05', '12'],
      ['INCRBY', '\x05', '30'],
      ['GET', '\x05'],
      ['LCS', '\x01', '\xff'],
      ['EXPIRE', '\r', '100'],
      ['TTL', '\r'],
      ['PERSIST', '\r'],
      ['TTL', '\r'],
      ['UNLINK', '\x01', '\r', '\xff', '\x05'],
      ['DBSIZE'],
    ],
  },
  {
    name: 'unknown commands and errors echo binary arguments',
    steps: [
      ['\xff\xfe', '\x80'],
      ['NOSUCH', '\x01\x02\x03', HIGH],
      ['GET', '\x00', 'extra'],
    ],
  },
  {
    name: 'inline \\xHH escapes produce raw bytes',
    steps: [
      { raw: 'SET "\\x00\\xff" "\\x0d\\x0a\\x80"\r\n' },
      ['GET', '\x00\xff'],
      { raw: 'GET "\\x00\\xff"\r\n' },
      { raw: 'STRLEN "\\x00\\xff"\r\n' },
    ],
  },
]);
