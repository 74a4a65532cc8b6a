/*
 * ACL commands against redis-server 7.0.15: the rule grammar, every ACL SETUSER error, the
 * renderings of ACL LIST / GETUSER / USERS / CAT, DRYRUN, DELUSER, GENPASS and ACL LOG.
 *
 * Redoubt runs with `acl-password-hash sha256`, so stored passwords are Redis's hashes. Users
 * outlive FLUSHALL, so each script starts by deleting the users it creates. Two things Redis
 * randomizes are normalized before comparing: the order of single-command rules in a description
 * (Redis walks its command dictionary in hash order, seeded at random) and ACL CAT's command order.
 */

import * as crypto from 'node:crypto';
import { diffSuite, type Step } from './harness';
import type { RespValue } from '../support/resp';

/** sha256('pass3'), given as a pre-hashed password */
const SHA_PASS = crypto.createHash('sha256').update('pass3').digest('hex');

/** Sorts each run of single-command rules ("+get -set +config|get") inside a rule string. */
export function sortCommandRuns(s: string): string {
  const toks = s.split(' ');
  const isCmd = (t: string) => /^[+-][^@]/.test(t.replace(/\)$/, ''));
  for (let i = 0; i < toks.length;) {
    if (!isCmd(toks[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j < toks.length && isCmd(toks[j]) && (j === i || !toks[j - 1].endsWith(')'))) j++;
    const closes = toks[j - 1].endsWith(')');
    const run = toks.slice(i, j).map((t) => t.replace(/\)$/, '')).sort();
    if (closes) run[run.length - 1] += ')';
    toks.splice(i, j - i, ...run);
    i = j;
  }
  return toks.join(' ');
}

function mapStrings(v: RespValue, f: (s: string) => string): RespValue {
  if (Array.isArray(v.v)) return { t: v.t, v: v.v.map((x) => mapStrings(x, f)) } as RespValue;
  if (typeof v.v === 'string' && (v.t === '$' || v.t === '+')) return { t: v.t, v: f(v.v) } as RespValue;
  return v;
}

const rules = (v: RespValue): RespValue => mapStrings(v, sortCommandRuns);

/** ACL LOG: age is live; of the client info only the command and user are compared. */
function logMask(v: RespValue): RespValue {
  if (!Array.isArray(v.v)) return v;
  const xs = v.v.map(logMask);
  for (let i = 0; i + 1 < xs.length; i++) {
    if (xs[i].t !== '$') continue;
    if (xs[i].v === 'age-seconds') xs[i + 1] = { t: xs[i + 1].t, v: 'age' } as RespValue;
    if (xs[i].v === 'client-info') {
      const info = String(xs[i + 1].v);
      const pick = info.split(' ').filter((f) => /^(cmd|user|db|name|resp)=/.test(f)).join(' ');
      xs[i + 1] = { t: '$', v: pick };
    }
  }
  return { t: v.t, v: xs } as RespValue;
}

/** GENPASS: the length and the alphabet are compared, not the random value. */
function genpassMask(v: RespValue): RespValue {
  if (v.t !== '$' || typeof v.v !== 'string') return v;
  return { t: '$', v: `${v.v.length}:${/^[0-9a-f]*$/.test(v.v)}` };
}

const R = (cmd: string[]): Step => ({ cmd, mask: rules });
const users = ['alice', 'bob', 'carol', 'dave', 'eve', 'sel', 'cats', 'pw', 'fa', 'z'];
const clean: Step = { cmd: ['ACL', 'DELUSER', ...users] };
const list: Step = R(['ACL', 'LIST']);

const SETUSER_ERRORS: string[][] = [
  ['+nosuch'], ['-nosuch'], ['+@nosuch'], ['-@nosuch'], ['+'], ['-'], ['+@'], ['-@'], ['+get|'], ['+config|'],
  ['+config|nosuch'], ['-config|nosuch'], ['+config|get|x'], ['-select|0'], ['+|get'], ['+get|x|y'],
  ['bogus'], ['ON '], ['~a b'], ['%~x'], ['%'], ['%X~a'], ['%RR~a'], ['%RWR~a'], ['&a b'], ['~*', '~a'], ['allkeys', '%R~a'],
  ['&*', '&a'], ['allchannels', '&b'], ['<nopass'], ['>p', '<q'], ['!' + '0'.repeat(64)], ['#abc'], ['#' + 'A'.repeat(64)],
  ['#' + 'g'.repeat(64)], ['!abc'], ['(on)'], ['(+nosuch)'], ['(~a', 'b c)'], ['(~*', '~a)'], ['(+get'], ['('],
  ['on', '(', '+get'], [')'], ['~a\x00b'], ['expire'],
];

diffSuite('acl', [
  {
    name: 'grammar: flags, keys, channels, rendering',
    steps: [
      clean,
      ['ACL', 'SETUSER', 'alice'],
      ['ACL', 'GETUSER', 'alice'],
      ['ACL', 'SETUSER', 'alice', 'on', 'nopass', '~cached:*', '%R~ro:*', '%W~wo:*', '%RW~rw:*', '%WR~x', '&chan:*', '+get'],
      ['ACL', 'GETUSER', 'alice'],
      ['ACL', 'SETUSER', 'alice', '%R~wo:*', '%W~ro:*', '~cached:*', '&chan:*'],
      ['ACL', 'GETUSER', 'alice'],
      ['ACL', 'SETUSER', 'bob', 'ON', 'AllKeys', 'AllChannels', 'AllCommands', 'skip-sanitize-payload'],
      list,
      ['ACL', 'SETUSER', 'bob', 'resetkeys', 'resetchannels', 'nocommands', 'sanitize-payload', 'off'],
      list,
      ['ACL', 'SETUSER', 'carol', '~a', '~*'],
      ['ACL', 'SETUSER', 'carol', '&a', '&*', '%R~'],
      ['ACL', 'SETUSER', 'dave', 'on', '>p1', 'reset'],
      ['ACL', 'SETUSER', 'eve', '', 'on', ''],
      list,
      ['ACL', 'USERS'],
      ['ACL', 'GETUSER', 'nosuch'],
      ['ACL', 'SETUSER', 'has space'],
      ['ACL', 'SETUSER', 'nul\x00user'],
      ['ACL', 'SETUSER', 'x\x80\xff', 'on'],
      ['ACL', 'USERS'],
      ['ACL', 'DELUSER', 'x\x80\xff'],
      clean,
    ],
  },
  {
    name: 'every ACL SETUSER error leaves the user unchanged',
    steps: [
      clean,
      ['ACL', 'SETUSER', 'z', 'on', '~k'],
      ...SETUSER_ERRORS.map((r) => ['ACL', 'SETUSER', 'z', 'off', ...r]),
      list,
      clean,
    ],
  },
  {
    name: 'selectors',
    steps: [
      clean,
      ['ACL', 'SETUSER', 'sel', 'on', 'nopass', '+get', '~k1', '(+set ~k2)', '(', '+del', '%R~r*', '&c', ')'],
      R(['ACL', 'GETUSER', 'sel']),
      list,
      ['ACL', 'DRYRUN', 'sel', 'get', 'k1'],
      ['ACL', 'DRYRUN', 'sel', 'get', 'k2'],
      ['ACL', 'DRYRUN', 'sel', 'set', 'k2', 'v'],
      ['ACL', 'DRYRUN', 'sel', 'set', 'k1', 'v'],
      ['ACL', 'DRYRUN', 'sel', 'del', 'r1'],
      ['ACL', 'DRYRUN', 'sel', 'del', 'k1', 'k2'],
      ['ACL', 'DRYRUN', 'sel', 'mget', 'k1'],
      ['ACL', 'SETUSER', 'sel', '("~a b")'],
      ['ACL', 'SETUSER', 'sel', '("unbalanced)'],
      ['ACL', 'SETUSER', 'sel', '()'],
      list,
      ['ACL', 'SETUSER', 'sel', 'clearselectors'],
      R(['ACL', 'GETUSER', 'sel']),
      clean,
    ],
  },
  {
    name: 'command rules are rendered from the bitmap',
    steps: [
      clean,
      ...[
        ['+@all', '-debug'], ['-debug', '+@all'], ['+@all', '-@dangerous'], ['-@all', '+@read'], ['+@all', '-@keyspace', '+del'],
        ['-@all', '+@string', '-get'], ['-@all', '+config'], ['-@all', '+config|get'], ['+@all', '-config|set'],
        ['+@all', '-@admin', '+config|get'], ['-@all', '+@fast', '+@slow'], ['+@all', '-@fast', '-@slow'], ['+@all', '-config', '+config|get'],
        ['-@all', '+@connection'], ['+@all', '-@connection', '+ping'],
        ['-@all', '+get', '+set', '+mget', '+mset', '+incr', '+decr', '+append', '+strlen'], ['+@all', '-@all'],
        ['-@all', '+client|id', '+client|setname', '+client|getname'],
        ['+@all', '-get', '+get'], ['allcommands', 'nocommands', '+acl'], ['-@all', '+@admin', '-acl|setuser'],
      ].flatMap((r) => [['ACL', 'SETUSER', 'cats', 'reset', ...r], R(['ACL', 'GETUSER', 'cats']), list]),
      clean,
    ],
  },
  {
    name: 'first-arg rules',
    steps: [
      clean,
      ['ACL', 'SETUSER', 'fa', 'on', 'nopass', '~*', '-@all', '+select|0', '+select|1', '+SELECT|0', '+debug|sleep'],
      list,
      ['ACL', 'DRYRUN', 'fa', 'select', '0'],
      ['ACL', 'DRYRUN', 'fa', 'select', '2'],
      ['ACL', 'DRYRUN', 'fa', 'SELECT', '1'],
      ['ACL', 'SETUSER', 'fa', '+select'],
      list,
      ['ACL', 'SETUSER', 'fa', '-select', '+select|5', '-@all', '+config|get', '+select|0'],
      list,
      ['ACL', 'SETUSER', 'fa', '+@all', '-select', '+select|3'],
      list,
      clean,
    ],
  },
  {
    name: 'passwords',
    steps: [
      clean,
      ['ACL', 'SETUSER', 'pw', '>pass1', '>pass2', '>pass1', '#' + SHA_PASS],
      ['ACL', 'GETUSER', 'pw'],
      ['ACL', 'SETUSER', 'pw', '<pass1'],
      ['ACL', 'GETUSER', 'pw'],
      ['ACL', 'SETUSER', 'pw', '!' + SHA_PASS],
      ['ACL', 'GETUSER', 'pw'],
      ['ACL', 'SETUSER', 'pw', 'nopass'],
      list,
      ['ACL', 'SETUSER', 'pw', '>x\x00\xff', 'resetpass'],
      list,
      ['ACL', 'SETUSER', 'pw', '>', '>x\x00\xff'],
      list,
      ['ACL', 'SETUSER', 'pw', '<'],
      list,
      clean,
    ],
  },
  {
    name: 'CAT, USERS, WHOAMI, DELUSER, GENPASS, HELP',
    steps: [
      clean,
      ['ACL', 'CAT'],
      ['ACL', 'CAT', 'nosuch'],
      ['ACL', 'CAT', 'x'.repeat(200)],
      ['ACL', 'CAT', 'a', 'b'],
      ['ACL', 'CAT', 'no\x00such'],
      ['ACL', 'DRYRUN', 'no\x00user', 'get', 'k'],
      ['ACL', 'LOG', '1', '2'],
      ['ACL', 'WHOAMI'],
      ['ACL', 'WHOAMI', 'x'],
      ['ACL', 'SETUSER', 'alice'],
      ['ACL', 'SETUSER', 'bob'],
      ['ACL', 'USERS'],
      ['ACL', 'DELUSER', 'default'],
      ['ACL', 'DELUSER', 'alice', 'default'],
      ['ACL', 'USERS'],
      ['ACL', 'DELUSER', 'alice', 'bob', 'nosuch', 'alice'],
      ['ACL', 'DELUSER'],
      ['ACL', 'USERS'],
      ...['', '1', '4', '5', '255', '256', '257', '4096'].map((b): Step => ({ cmd: b === '' ? ['ACL', 'GENPASS'] : ['ACL', 'GENPASS', b], mask: genpassMask })),
      ['ACL', 'GENPASS', '0'],
      ['ACL', 'GENPASS', '-1'],
      ['ACL', 'GENPASS', '4097'],
      ['ACL', 'GENPASS', 'abc'],
      ['ACL', 'GENPASS', '1', '2'],
      ['ACL', 'LOAD'],
      ['ACL', 'SAVE'],
      ['ACL', 'NOSUCH'],
      ['ACL'],
      { cmd: ['ACL', 'HELP'], help: true },
      { cmd: ['acl', 'help'], help: true },
      ['ACL', 'GETUSER'],
      ['ACL', 'LIST', 'x'],
    ],
  },
  {
    name: 'DRYRUN',
    steps: [
      clean,
      ['ACL', 'SETUSER', 'alice', 'on', 'nopass', '-@all', '+get', '+set', '+mset', '+copy', '+rename', '+config|get', '%R~r*', '%W~w*', '~rw*', '&ch*'],
      ['ACL', 'DRYRUN', 'alice', 'get', 'r1'],
      ['ACL', 'DRYRUN', 'alice', 'get', 'w1'],
      ['ACL', 'DRYRUN', 'alice', 'set', 'w1', 'v'],
      ['ACL', 'DRYRUN', 'alice', 'set', 'r1', 'v'],
      ['ACL', 'DRYRUN', 'alice', 'set', 'w1', 'v', 'GET'],
      ['ACL', 'DRYRUN', 'alice', 'set', 'rw1', 'v', 'GET'],
      ['ACL', 'DRYRUN', 'alice', 'mset', 'w1', 'v', 'rw', 'v', 'r1', 'v'],
      ['ACL', 'DRYRUN', 'alice', 'copy', 'r1', 'w1'],
      ['ACL', 'DRYRUN', 'alice', 'copy', 'w1', 'r1'],
      ['ACL', 'DRYRUN', 'alice', 'rename', 'rw1', 'rw2'],
      ['ACL', 'DRYRUN', 'alice', 'rename', 'w1', 'w2'],
      ['ACL', 'DRYRUN', 'alice', 'config', 'get', 'port'],
      ['ACL', 'DRYRUN', 'alice', 'config', 'set', 'port', '1'],
      ['ACL', 'DRYRUN', 'alice', 'config', 'nosuch'],
      ['ACL', 'DRYRUN', 'alice', 'config'],
      ['ACL', 'DRYRUN', 'alice', 'del', 'rw'],
      ['ACL', 'DRYRUN', 'alice', 'get'],
      ['ACL', 'DRYRUN', 'alice', 'get', 'a', 'b'],
      ['ACL', 'DRYRUN', 'alice', 'nosuch', 'a'],
      ['ACL', 'DRYRUN', 'nosuch', 'get', 'a'],
      ['ACL', 'DRYRUN', 'alice'],
      ['ACL', 'DRYRUN', 'alice', 'auth', 'a', 'b'],
      ['ACL', 'DRYRUN', 'alice', 'ping'],
      ['ACL', 'DRYRUN', 'alice', 'exists', 'w1'],
      ['ACL', 'DRYRUN', 'alice', 'object', 'encoding', 'r1'],
      ['ACL', 'DRYRUN', 'default', 'flushall'],
      clean,
    ],
  },
  {
    name: 'ACL LOG entries, merging and RESET',
    steps: [
      clean,
      ['ACL', 'LOG', 'RESET'],
      ['ACL', 'LOG'],
      ['ACL', 'SETUSER', 'alice', 'on', '>pw', '-@all', '+get', '+acl|whoami', '+auth', '~k*'], // +auth: Redoubt refuses re-AUTH without it
      ['AUTH', 'alice', 'wrong'],
      ['AUTH', 'nosuch', 'x'],
      ['AUTH', 'alice', 'pw'],
      ['ACL', 'WHOAMI'],
      ['GET', 'other'],
      ['GET', 'other'],
      ['GET', 'k1'],
      ['SET', 'k1', 'v'],
      ['CONFIG', 'GET', 'port'],
      ['AUTH', 'default', 'x'],
      { cmd: ['ACL', 'LOG'], mask: logMask },
      { cmd: ['ACL', 'LOG', '2'], mask: logMask },
      { cmd: ['ACL', 'LOG', '0'], mask: logMask },
      { cmd: ['ACL', 'LOG', '-5'], mask: logMask },
      ['ACL', 'LOG', 'x'],
      ['ACL', 'LOG', '1', '2'],
      ['ACL', 'LOG', 'reset'],
      ['ACL', 'LOG'],
      clean,
    ],
  },
], { redoubtArgs: ['--acl-password-hash', 'sha256'] });
