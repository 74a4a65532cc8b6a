/*
 * Command table entries of the list family: flags, ACL categories, key specs and documented
 * arguments as Redis 7.0 declares them (src/commands/*.json; checked against COMMAND INFO and
 * COMMAND DOCS of redis-server 7.0.15 by test/diff/command.test.ts). Summaries, complexities and
 * history notes are our own wording. lists.ts joins each entry with its handler.
 */

import type { CommandSpec } from './table';

type Meta = Omit<CommandSpec, 'handler'>;

export const LIST_META: Record<string, Meta> = {
  lpush: {
    name: 'lpush', arity: -3, flags: ['write', 'denyoom', 'fast'], categories: ['list'],
    keys: [{ flags: ['RW', 'insert'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Inserts elements at the head of a list, creating it if needed.', since: '1.0.0', group: 'list', complexity: 'O(1) per element pushed.',
      history: [['2.4.0', 'Several elements may be pushed at once.']], arguments: [
      { name: 'key', type: 'key', key_spec_index: 0 },
      { name: 'element', type: 'string', flags: ['multiple'] },
    ]
    },
  },
  rpush: {
    name: 'rpush', arity: -3, flags: ['write', 'denyoom', 'fast'], categories: ['list'],
    keys: [{ flags: ['RW', 'insert'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Appends elements at the tail of a list, creating it if needed.', since: '1.0.0', group: 'list', complexity: 'O(1) per element pushed.',
      history: [['2.4.0', 'Several elements may be pushed at once.']], arguments: [
      { name: 'key', type: 'key', key_spec_index: 0 },
      { name: 'element', type: 'string', flags: ['multiple'] },
    ]
    },
  },
  lpushx: {
    name: 'lpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], categories: ['list'],
    keys: [{ flags: ['RW', 'insert'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Inserts elements at the head of a list only when the list already exists.', since: '2.2.0', group: 'list', complexity: 'O(1) per element pushed.',
      history: [['4.0.0', 'Several elements may be pushed at once.']], arguments: [
      { name: 'key', type: 'key', key_spec_index: 0 },
      { name: 'element', type: 'string', flags: ['multiple'] },
    ]
    },
  },
  rpushx: {
    name: 'rpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], categories: ['list'],
    keys: [{ flags: ['RW', 'insert'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Appends elements at the tail of a list only when the list already exists.', since: '2.2.0', group: 'list', complexity: 'O(1) per element pushed.',
      history: [['4.0.0', 'Several elements may be pushed at once.']], arguments: [
      { name: 'key', type: 'key', key_spec_index: 0 },
      { name: 'element', type: 'string', flags: ['multiple'] },
    ]
    },
  },
  lpop: {
    name: 'lpop', arity: -2, flags: ['write', 'fast'], categories: ['list'],
    keys: [{ flags: ['RW', 'access', 'delete'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Removes and returns elements from the head of a list.', since: '1.0.0', group: 'list', complexity: 'O(N), N being the number of elements popped.',
      history: [['6.2.0', 'Takes an optional count.']], arguments: [
      { name: 'key', type: 'key', key_spec_index: 0 },
      { name: 'count', type: 'integer', since: '6.2.0', flags: ['optional'] },
    ]
    },
  },
  rpop: {
    name: 'rpop', arity: -2, flags: ['write', 'fast'], categories: ['list'],
    keys: [{ flags: ['RW', 'access', 'delete'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Removes and returns elements from the tail of a list.', since: '1.0.0', group: 'list', complexity: 'O(N), N being the number of elements popped.',
      history: [['6.2.0', 'Takes an optional count.']], arguments: [
      { name: 'key', type: 'key', key_spec_index: 0 },
      { name: 'count', type: 'integer', since: '6.2.0', flags: ['optional'] },
    ]
    },
  },
  llen: {
    name: 'llen', arity: 2, flags: ['readonly', 'fast'], categories: ['list'],
    keys: [{ flags: ['RO'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Returns the number of elements in a list.', since: '1.0.0', group: 'list', complexity: 'O(1)',
      arguments: [
      { name: 'key', type: 'key', key_spec_index: 0 },
    ]
    },
  },
  lrange: {
    name: 'lrange', arity: 4, flags: ['readonly'], categories: ['list'],
    keys: [{ flags: ['RO', 'access'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Returns the elements of a list between two indexes.', since: '1.0.0', group: 'list', complexity: 'O(N), N being the number of elements returned.',
      arguments: [
      { name: 'key', type: 'key', key_spec_index: 0 },
      { name: 'start', type: 'integer' },
      { name: 'stop', type: 'integer' },
    ]
    },
  },
  lindex: {
    name: 'lindex', arity: 3, flags: ['readonly'], categories: ['list'],
    keys: [{ flags: ['RO', 'access'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Returns the element of a list at an index.', since: '1.0.0', group: 'list', complexity: 'O(1)',
      arguments: [
      { name: 'key', type: 'key', key_spec_index: 0 },
      { name: 'index', type: 'integer' },
    ]
    },
  },
  lset: {
    name: 'lset', arity: 4, flags: ['write', 'denyoom'], categories: ['list'],
    keys: [{ flags: ['RW', 'update'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Replaces the element of a list at an index.', since: '1.0.0', group: 'list', complexity: 'O(1)',
      arguments: [
      { name: 'key', type: 'key', key_spec_index: 0 },
      { name: 'index', type: 'integer' },
      { name: 'element', type: 'string' },
    ]
    },
  },
  linsert: {
    name: 'linsert', arity: 5, flags: ['write', 'denyoom'], categories: ['list'],
    keys: [{ flags: ['RW', 'insert'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Inserts an element just before or just after the first occurrence of a pivot element.', since: '2.2.0', group: 'list', complexity: 'O(N), N being the distance to the pivot.',
      arguments: [
      { name: 'key', type: 'key', key_spec_index: 0 },
      { name: 'where', type: 'oneof', arguments: [{ name: 'before', type: 'pure-token', token: 'BEFORE' }, { name: 'after', type: 'pure-token', token: 'AFTER' }] },
      { name: 'pivot', type: 'string' },
      { name: 'element', type: 'string' },
    ]
    },
  },
  lrem: {
    name: 'lrem', arity: 4, flags: ['write'], categories: ['list'],
    keys: [{ flags: ['RW', 'delete'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Removes occurrences of an element from a list.', since: '1.0.0', group: 'list', complexity: 'O(N), N being the length of the list.',
      arguments: [
      { name: 'key', type: 'key', key_spec_index: 0 },
      { name: 'count', type: 'integer' },
      { name: 'element', type: 'string' },
    ]
    },
  },
  ltrim: {
    name: 'ltrim', arity: 4, flags: ['write'], categories: ['list'],
    keys: [{ flags: ['RW', 'delete'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Keeps only the elements of a list between two indexes.', since: '1.0.0', group: 'list', complexity: 'O(N), N being the number of elements removed.',
      arguments: [
      { name: 'key', type: 'key', key_spec_index: 0 },
      { name: 'start', type: 'integer' },
      { name: 'stop', type: 'integer' },
    ]
    },
  },
  lpos: {
    name: 'lpos', arity: -3, flags: ['readonly'], categories: ['list'],
    keys: [{ flags: ['RO', 'access'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Returns the positions of the elements of a list that equal a value.', since: '6.0.6', group: 'list', complexity: 'O(N), N being the number of elements scanned.',
      arguments: [
      { name: 'key', type: 'key', key_spec_index: 0 },
      { name: 'element', type: 'string' },
      { name: 'rank', type: 'integer', token: 'RANK', flags: ['optional'] },
      { name: 'num-matches', type: 'integer', token: 'COUNT', flags: ['optional'] },
      { name: 'len', type: 'integer', token: 'MAXLEN', flags: ['optional'] },
    ]
    },
  },
  lmove: {
    name: 'lmove', arity: 5, flags: ['write', 'denyoom'], categories: ['list'],
    keys: [{ flags: ['RW', 'access', 'delete'], begin: { index: 1 }, find: { range: [0, 1, 0] } }, { flags: ['RW', 'insert'], begin: { index: 2 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Moves an element from one end of a list to one end of another list and returns it.', since: '6.2.0', group: 'list', complexity: 'O(1)',
      arguments: [
      { name: 'source', type: 'key', key_spec_index: 0 },
      { name: 'destination', type: 'key', key_spec_index: 1 },
      { name: 'wherefrom', type: 'oneof', arguments: [{ name: 'left', type: 'pure-token', token: 'LEFT' }, { name: 'right', type: 'pure-token', token: 'RIGHT' }] },
      { name: 'whereto', type: 'oneof', arguments: [{ name: 'left', type: 'pure-token', token: 'LEFT' }, { name: 'right', type: 'pure-token', token: 'RIGHT' }] },
    ]
    },
  },
  rpoplpush: {
    name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], categories: ['list'],
    keys: [{ flags: ['RW', 'access', 'delete'], begin: { index: 1 }, find: { range: [0, 1, 0] } }, { flags: ['RW', 'insert'], begin: { index: 2 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Moves the last element of a list to the head of another list and returns it.', since: '1.2.0', group: 'list', complexity: 'O(1)',
      doc_flags: ['deprecated'], deprecated_since: '6.2.0', replaced_by: '`LMOVE` with `RIGHT` and `LEFT`', arguments: [
      { name: 'source', type: 'key', key_spec_index: 0 },
      { name: 'destination', type: 'key', key_spec_index: 1 },
    ]
    },
  },
  lmpop: {
    name: 'lmpop', arity: -4, flags: ['write'], categories: ['list'],
    keys: [{ flags: ['RW', 'access', 'delete'], begin: { index: 1 }, find: { keynum: [0, 1, 1] } }],
    docs: {
      summary: 'Pops elements from the first non-empty list among several keys.', since: '7.0.0', group: 'list', complexity: 'O(N+M), N keys looked at and M elements popped.',
      arguments: [
      { name: 'numkeys', type: 'integer' },
      { name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] },
      { name: 'where', type: 'oneof', arguments: [{ name: 'left', type: 'pure-token', token: 'LEFT' }, { name: 'right', type: 'pure-token', token: 'RIGHT' }] },
      { name: 'count', type: 'integer', token: 'COUNT', flags: ['optional'] },
    ]
    },
  },
  blpop: {
    name: 'blpop', arity: -3, flags: ['write', 'noscript', 'blocking'], categories: ['list'],
    keys: [{ flags: ['RW', 'access', 'delete'], begin: { index: 1 }, find: { range: [-2, 1, 0] } }],
    docs: {
      summary: 'Pops the first element of the first non-empty list among several keys, waiting for one if all are empty.', since: '2.0.0', group: 'list', complexity: 'O(N), N being the number of keys.',
      history: [['6.0.0', 'The timeout may be fractional.']], arguments: [
      { name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] },
      { name: 'timeout', type: 'double' },
    ]
    },
  },
  brpop: {
    name: 'brpop', arity: -3, flags: ['write', 'noscript', 'blocking'], categories: ['list'],
    keys: [{ flags: ['RW', 'access', 'delete'], begin: { index: 1 }, find: { range: [-2, 1, 0] } }],
    docs: {
      summary: 'Pops the last element of the first non-empty list among several keys, waiting for one if all are empty.', since: '2.0.0', group: 'list', complexity: 'O(N), N being the number of keys.',
      history: [['6.0.0', 'The timeout may be fractional.']], arguments: [
      { name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] },
      { name: 'timeout', type: 'double' },
    ]
    },
  },
  blmove: {
    name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], categories: ['list'],
    keys: [{ flags: ['RW', 'access', 'delete'], begin: { index: 1 }, find: { range: [0, 1, 0] } }, { flags: ['RW', 'insert'], begin: { index: 2 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Moves an element between lists like LMOVE, waiting for the source to have one.', since: '6.2.0', group: 'list', complexity: 'O(1)',
      arguments: [
      { name: 'source', type: 'key', key_spec_index: 0 },
      { name: 'destination', type: 'key', key_spec_index: 1 },
      { name: 'wherefrom', type: 'oneof', arguments: [{ name: 'left', type: 'pure-token', token: 'LEFT' }, { name: 'right', type: 'pure-token', token: 'RIGHT' }] },
      { name: 'whereto', type: 'oneof', arguments: [{ name: 'left', type: 'pure-token', token: 'LEFT' }, { name: 'right', type: 'pure-token', token: 'RIGHT' }] },
      { name: 'timeout', type: 'double' },
    ]
    },
  },
  brpoplpush: {
    name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], categories: ['list'],
    keys: [{ flags: ['RW', 'access', 'delete'], begin: { index: 1 }, find: { range: [0, 1, 0] } }, { flags: ['RW', 'insert'], begin: { index: 2 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Moves the last element of a list to the head of another, waiting for one to arrive.', since: '2.2.0', group: 'list', complexity: 'O(1)',
      doc_flags: ['deprecated'], deprecated_since: '6.2.0', replaced_by: '`BLMOVE` with `RIGHT` and `LEFT`', history: [['6.0.0', 'The timeout may be fractional.']], arguments: [
      { name: 'source', type: 'key', key_spec_index: 0 },
      { name: 'destination', type: 'key', key_spec_index: 1 },
      { name: 'timeout', type: 'double' },
    ]
    },
  },
  blmpop: {
    name: 'blmpop', arity: -5, flags: ['write', 'blocking'], categories: ['list'],
    keys: [{ flags: ['RW', 'access', 'delete'], begin: { index: 2 }, find: { keynum: [0, 1, 1] } }],
    docs: {
      summary: 'Pops elements from the first non-empty list among several keys, waiting for one if all are empty.', since: '7.0.0', group: 'list', complexity: 'O(N+M), N keys looked at and M elements popped.',
      arguments: [
      { name: 'timeout', type: 'double' },
      { name: 'numkeys', type: 'integer' },
      { name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] },
      { name: 'where', type: 'oneof', arguments: [{ name: 'left', type: 'pure-token', token: 'LEFT' }, { name: 'right', type: 'pure-token', token: 'RIGHT' }] },
      { name: 'count', type: 'integer', token: 'COUNT', flags: ['optional'] },
    ]
    },
  },
};
