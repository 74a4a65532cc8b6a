/*
 * Differential protocol tests: malformed, unusual and hostile requests sent byte for byte to a real
 * redis-server 7.0.15 and to Redoubt; replies and connection closes must be identical.
 *
 * A script ends at its first `closes` step (the server hung up). The last suite fuzzes: generated
 * byte strings, biased towards protocol punctuation, are sent on fresh connections followed by a
 * half-close, and everything each server sends back before closing must be the same bytes.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import fc from 'fast-check';
import { diffSuite, type Script } from './harness';
import { bothServers } from '../support/servers';

const INLINE_MAX = 64 * 1024;

/** One script per request that makes the server hang up: the connection cannot be reused. */
function closing(name: string, raw: string, before: (string[] | { raw: string; replies?: number })[] = []): Script {
  return { name, steps: [...before, { raw, closes: true }] };
}

diffSuite('protocol', [
  {
    name: 'inline commands',
    steps: [
      { raw: 'PING\r\n' },
      { raw: 'ping\n' },
      { raw: 'SET k v\r\n' },
      { raw: 'GET k\r\n' },
      { raw: '   ECHO    spaced\t\targs   \r\n' },
      { raw: '\r\n\r\n\n', replies: 0 },
      { raw: 'ECHO \xff\xfe\x80\r\n' },
      { raw: 'ECHO a\vb\r\n' },
      { raw: 'ECHO \fc\r\n' },
      { raw: 'PING\r\nPING\r\nECHO x\r\n', replies: 3 },
    ],
  },
  {
    name: 'quoted inline arguments and escapes',
    steps: [
      { raw: 'ECHO "hello world"\r\n' },
      { raw: "ECHO 'hello world'\r\n" },
      { raw: 'ECHO "\\x41\\x4a\\x4A\\x00\\xff"\r\n' },
      { raw: 'ECHO "\\x4g"\r\n' },
      { raw: 'ECHO "a\\x4"\r\n' },
      { raw: 'ECHO "\\n\\r\\t\\b\\a\\z\\\\\\""\r\n' },
      { raw: "ECHO 'a\\'b'\r\n" },
      { raw: "ECHO 'a\\nb'\r\n" },
      { raw: 'ECHO ""\r\n' },
      { raw: "ECHO ''\r\n" },
      { raw: 'ECHO a"b c"d\r\n' },
      { raw: 'ECHO a"b c"\r\n' },
      { raw: 'ECHO "a"\tb\r\n' },
      { raw: 'SET "k k" "v\\r\\nv"\r\n' },
      ['GET', 'k k'],
    ],
  },
  closing('unbalanced double quote', 'ECHO "abc\r\n'),
  closing('unbalanced single quote', "ECHO 'abc\r\n"),
  closing('closing double quote followed by a letter', 'SET a "b"c\r\n'),
  closing('closing single quote followed by a letter', "SET a 'b'c\r\n"),
  closing('escaped final quote is not a closing quote', 'ECHO "abc\\"\r\n'),
  { name: 'a protocol error after good commands in the same write answers them first', steps: [{ raw: 'PING\r\nECHO x\r\nECHO "y\r\n', replies: 3, closes: true }] },
  closing('*abc', '*abc\r\n'),
  closing('* without digits', '*\r\n'),
  closing('*+1', '*+1\r\n$4\r\nPING\r\n'),
  closing('*01 (leading zero)', '*01\r\n$4\r\nPING\r\n'),
  closing('*-0', '*-0\r\n'),
  closing('multibulk count over INT_MAX', '*2147483648\r\n'),
  closing('multibulk count overflowing 64 bits', '*99999999999999999999999\r\n'),
  closing('$x', '*1\r\n$x\r\n'),
  closing('$ without digits', '*1\r\n$\r\n'),
  closing('expected $ got x', '*1\r\nx4\r\nPING\r\n'),
  closing('expected $ got :', '*2\r\n$4\r\nECHO\r\n:1\r\n'),
  closing('expected $ got LF (shown as a space)', '*1\r\n\n4\r\nPING\r\n'),
  closing('expected $ got a high byte', '*1\r\n\xff4\r\nPING\r\n'),
  closing('negative bulk length', '*1\r\n$-1\r\n'),
  closing('$+4', '*1\r\n$+4\r\nPING\r\n'),
  closing('$04', '*1\r\n$04\r\nPING\r\n'),
  closing('huge bulk length', '*1\r\n$99999999999\r\n'),
  closing('bulk length over 512 MB', '*1\r\n$536870913\r\n'),
  closing('bulk length far beyond 64 bits', '*1\r\n$999999999999999999999999\r\n'),
  closing('too big inline request', 'x'.repeat(INLINE_MAX + 100)),
  closing('too big mbulk count string', '*' + '1'.repeat(INLINE_MAX + 100)),
  closing('too big bulk count string', '*1\r\n$' + '1'.repeat(INLINE_MAX + 100)),
  {
    name: 'empty multibulk requests are ignored',
    steps: [
      { raw: '*0\r\n', replies: 0 },
      { raw: '*-1\r\n', replies: 0 },
      { raw: '*-1\r\n*0\r\n*1\r\n$4\r\nPING\r\n' },
      { raw: '*-5\r\nPING\r\n' },
    ],
  },
  {
    name: 'the two bytes after a payload are not checked',
    steps: [
      { raw: '*1\r\n$4\r\nPINGxx' },
      { raw: '*2\r\n$4\r\nECHO\r\n$1\r\nab*1\r\n$4\r\nPING\r\n', replies: 2 },
      { raw: '*1\rx$4\r\nPING\r\n' },
    ],
  },
  {
    name: 'requests split across writes',
    steps: [
      { raw: '*2\r\n$4\r\nEC', replies: 0 },
      { raw: 'HO\r\n$5\r\nhel', replies: 0 },
      { raw: 'lo\r', replies: 0 },
      { raw: '\n' },
      { raw: 'PI', replies: 0 },
      { raw: 'NG\r\n' },
    ],
  },
  {
    name: 'a NUL byte before a terminator stalls the request (strchr), until it is too big',
    steps: [
      { raw: '*1\x00\r\n$4\r\nPING\r\n', replies: 0 },
      { raw: 'x'.repeat(INLINE_MAX), closes: true },
    ],
  },
  {
    name: 'a NUL byte in an inline line stalls it, until it is too big',
    steps: [
      { raw: 'PI\x00NG\r\n', replies: 0 },
      { raw: 'x'.repeat(INLINE_MAX), closes: true },
    ],
  },
  {
    name: 'a NUL byte in a bulk length stalls it, until it is too big',
    steps: [
      { raw: '*1\r\n$4\x00\r\nPING\r\n', replies: 0 },
      { raw: 'x'.repeat(INLINE_MAX), closes: true },
    ],
  },
  {
    name: 'unknown commands: long, binary, CRLF and NUL in arguments',
    steps: [
      ['NOSUCHCMD'],
      ['nosuchcmd', 'a', 'b'],
      ['NOSUCH', 'a'.repeat(600)],
      ['NOSUCH', ...Array.from({ length: 200 }, (_, i) => `arg${i}`)],
      ['X'.repeat(300), 'y'],
      ['NOSUCH', 'a\r\nb', 'c\nd'],
      ['NOSUCH', 'a\x00b', 'c'],
      ['NO\x00SUCH', 'x'],
      ['NOSUCH', '\xff\x80\x01'],
      ['', 'x'],
      { raw: 'nosuch ' + 'a'.repeat(600) + '\r\n' },
      { raw: 'nosuch "a\\r\\nb"\r\n' },
    ],
  },
  {
    name: 'arity errors',
    steps: [
      ['GET'],
      ['get', 'a', 'b'],
      ['SET', 'k'],
      ['PING', 'a', 'b'],
      ['ECHO'],
      ['ECHO', 'a', 'b'],
      { raw: 'GET\r\n' },
      { raw: 'SET k\r\n' },
      ['PING'],
    ],
  },
  closing('cross protocol: an HTTP POST is dropped without a reply', 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n'),
  closing('cross protocol: Host: header line', 'Host: example.com\r\n'),
  closing('cross protocol: lower-case post', 'post\r\n'),
  closing('cross protocol: POST as a multibulk command', '*2\r\n$4\r\nPOST\r\n$1\r\n/\r\n'),
  closing('cross protocol: replies queued in the same read are discarded too', 'PING\r\nPOST / HTTP/1.1\r\n'),
  closing('cross protocol after earlier commands', 'HOST: x\r\n', [['SET', 'a', 'b'], ['GET', 'a']]),
]);

const ONE_MB = 1024 * 1024;
const limited = ['--proto-max-bulk-len', '1mb', '--client-query-buffer-limit', '1mb'];
const echo = (n: number) => `*2\r\n$4\r\nECHO\r\n$${n}\r\n${'e'.repeat(n)}\r\n`;

diffSuite(
  'protocol limits (proto-max-bulk-len 1mb, client-query-buffer-limit 1mb)',
  [
    { name: 'a bulk under both limits is served', steps: [{ raw: echo(1000000) }, ['SET', 'k', 'v'.repeat(900000)], ['STRLEN', 'k']] },
    closing('a bulk over proto-max-bulk-len is refused at its header', `*2\r\n$4\r\nECHO\r\n$${ONE_MB + 1}\r\n`),
    closing('a bulk of exactly proto-max-bulk-len overflows the query buffer (closed, no reply)', echo(ONE_MB)),
    {
      name: 'a query buffer over the limit while a bulk arrives closes the connection',
      steps: [
        { raw: `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${ONE_MB}\r\n` + 'v'.repeat(ONE_MB - 1000), replies: 0 },
        { raw: 'v'.repeat(2000), closes: true },
      ],
      resp: [2],
    },
    {
      name: 'a pipeline larger than the query buffer limit is fine: it is consumed as it arrives',
      steps: [{ raw: '*1\r\n$4\r\nPING\r\n'.repeat(100000), replies: 100000 }],
      resp: [2],
    },
  ],
  { redisArgs: limited, redoubtArgs: limited },
);

/* ------------------------------------------------------------------ fuzz */

/** Sends `bytes`, half-closes, and returns everything received until the server closes. */
function exchange(port: number, bytes: Buffer, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.end(bytes));
    const done = (suffix: string) => {
      clearTimeout(t);
      s.destroy();
      resolve(Buffer.concat(chunks).toString('latin1') + suffix);
    };
    const t = setTimeout(() => done('<timeout>'), timeoutMs);
    s.on('data', (d) => chunks.push(d));
    s.on('close', () => done('<closed>'));
    s.on('error', () => {});
  });
}

describe('differential: protocol fuzz', () => {
  const servers = bothServers();

  const token = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('*', '$', '\r', '\n', '\r\n', '-', '0', '1', '2', '3', '4', '9', ' ', '"', "'", '\\', 'x', '\\x4', '\x00', '\xff', '\t') },
    { weight: 3, arbitrary: fc.constantFrom('PING', 'ECHO', 'ping ', 'echo "', '*1\r\n', '*2\r\n', '$4\r\n', '$1\r\n', '*1\r\n$4\r\nPING\r\n', 'ECHO a\r\n', 'NOSUCH ') },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a).toString('latin1')) },
  );
  // Most inputs start as a multibulk request (at various depths), the others are inline lines.
  const input = fc
    .tuple(fc.constantFrom('', '', '*', '*1\r\n', '*2\r\n$', '*3\r\n$3\r\nSET\r\n$'), fc.array(token, { minLength: 1, maxLength: 40 }))
    .map(([head, t]) => Buffer.from(head + t.join(''), 'latin1'));

  it('random protocol-like input gets the same bytes back and the same close', async () => {
    const samples = fc.sample(input, { numRuns: 400, seed: 0x5eed });
    const mismatches: string[] = [];
    for (const bytes of samples) {
      const [a, b] = await Promise.all([exchange(servers.redis.port, bytes), exchange(servers.redoubt.port, bytes)]);
      if (a !== b) mismatches.push(`input ${JSON.stringify(bytes.toString('latin1'))}\n  redis:   ${JSON.stringify(a)}\n  redoubt: ${JSON.stringify(b)}`);
    }
    assert.deepEqual(mismatches, [], mismatches.slice(0, 5).join('\n'));
  });
});
