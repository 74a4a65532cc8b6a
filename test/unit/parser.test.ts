/*
 * The request parser, as a specification: what Redis 7.0 accepts as a request and the exact error
 * text for everything it refuses. Expected values were taken from a real redis-server 7.0.15
 * (see test/diff/protocol.test.ts for the same cases checked live against it).
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { RequestParser, ProtocolError, parseRespInt, PROTO_INLINE_MAX_SIZE, MAX_ARG_LENGTH, type ParseResult } from '../../src/protocol/parser';
import { splitArgs as splitInlineArgs } from '../../src/protocol/sds';

function parser(limits: Partial<{ maxBulkLen: number; unauthenticated: boolean }> = {}): RequestParser {
  return new RequestParser({ maxBulkLen: 512 * 1024 * 1024, unauthenticated: false, ...limits });
}

/** Feeds all chunks, collects every result until the parser needs more bytes. */
function parseAll(input: string | Buffer | (string | Buffer)[], p = parser()): ParseResult[] {
  const chunks = Array.isArray(input) ? input : [input];
  const out: ParseResult[] = [];
  for (const c of chunks) {
    p.feed(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
    for (let r = p.next(); r !== null; r = p.next()) out.push(r);
  }
  return out;
}

function errorOf(input: string | Buffer, limits = {}): string {
  const r = parseAll(input, parser(limits));
  const last = r[r.length - 1];
  assert.ok(last instanceof ProtocolError, `expected a protocol error, got ${JSON.stringify(r)}`);
  return last.message;
}

describe('multibulk requests', () => {
  it('parses a command with binary arguments', () => {
    const bin = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
    const req = `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$256\r\n${bin}\r\n`;
    assert.deepEqual(parseAll(req), [['SET', 'k', bin]]);
  });

  it('gives every command name back byte for byte, however the interned names collide', () => {
    // names are interned in a small table: every spelling, binary ones and names that share a
    // slot included, must still come back exactly as sent, in any order and across parsers
    const names: string[] = ['GET', 'get', 'Get', 'SET', 'set', 'PING', '\xff\x00\r\n', 'x'.repeat(24), 'y'.repeat(25), ''];
    for (let i = 0; i < 600; i++) names.push(`c${i.toString(36)}`);
    const bulk = (a: string) => `$${a.length}\r\n${a}\r\n`;
    for (let round = 0; round < 3; round++) {
      const order = round === 1 ? [...names].reverse() : names;
      const req = order.map((n) => `*2\r\n${bulk(n)}${bulk(n)}`).join('');
      assert.deepEqual(parseAll(req), order.map((n) => [n, n]));
      // one byte at a time: a name split across reads
      assert.deepEqual(parseAll([...Buffer.from(req.slice(0, 400), 'latin1')].map((b) => Buffer.from([b]))), parseAll(req.slice(0, 400)));
    }
  });

  it('accepts empty arguments and CRLF inside arguments', () => {
    assert.deepEqual(parseAll('*2\r\n$4\r\nECHO\r\n$0\r\n\r\n'), [['ECHO', '']]);
    assert.deepEqual(parseAll('*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\r\n\r\n'), [['ECHO', '\r\n\r\n']]);
  });

  it('ignores *0 and *-1 (empty requests) and continues with the next command', () => {
    assert.deepEqual(parseAll('*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n'), [['PING']]);
  });

  it('skips the two bytes after a payload without checking them, like Redis', () => {
    assert.deepEqual(parseAll('*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n'), [['PING'], ['PING']]);
    assert.deepEqual(parseAll('*1\rx$4\r\nPING\r\n'), [['PING']]);
  });

  it('returns commands as soon as they are complete and waits for the rest', () => {
    const p = parser();
    p.feed(Buffer.from('*2\r\n$4\r\nECHO\r\n$5\r\nhel'));
    assert.equal(p.next(), null);
    assert.equal(p.pending, 3, 'the partial payload is pending');
    p.feed(Buffer.from('lo\r\n*1\r'));
    assert.deepEqual(p.next(), ['ECHO', 'hello']);
    assert.equal(p.next(), null, 'a CR without the following byte is not a complete header');
    p.feed(Buffer.from('\n$4\r\nPING\r\n'));
    assert.deepEqual(p.next(), ['PING']);
    assert.equal(p.next(), null);
    assert.equal(p.pending, 0);
  });

  it('parses a pipeline of thousands of commands in one chunk and byte by byte', () => {
    let req = '';
    const expected: string[][] = [];
    for (let i = 0; i < 5000; i++) {
      const v = 'v'.repeat(i % 50) + i;
      req += `*3\r\n$3\r\nSET\r\n$${String(i).length}\r\n${i}\r\n$${v.length}\r\n${v}\r\n`;
      expected.push(['SET', String(i), v]);
    }
    assert.deepEqual(parseAll(req), expected);
    const bytes = Buffer.from(req.slice(0, 20000), 'latin1');
    const oneByOne = parseAll(Array.from(bytes, (b) => Buffer.from([b])));
    assert.deepEqual(oneByOne, parseAll(bytes));
  });

  it('collects a big bulk across many chunks and counts it as pending', () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 0xab);
    const p = parser();
    const head = Buffer.from(`*2\r\n$4\r\nECHO\r\n$${big.length}\r\n`);
    p.feed(head);
    assert.equal(p.next(), null);
    let sent = 0;
    while (sent < big.length) {
      const n = Math.min(65536, big.length - sent);
      p.feed(big.subarray(sent, sent + n));
      sent += n;
      assert.equal(p.next(), null);
      assert.equal(p.pending, sent);
    }
    p.feed(Buffer.from('\r\n*1\r\n$4\r\nPING\r\n'));
    const r = p.next() as string[];
    assert.equal(r[1].length, big.length);
    assert.equal(r[1], big.toString('latin1'));
    assert.deepEqual(p.next(), ['PING']);
  });

  it('accepts a bulk exactly at proto-max-bulk-len and refuses one byte more', () => {
    const limits = { maxBulkLen: 1024 * 1024 };
    const p = parser(limits);
    p.feed(Buffer.from(`*1\r\n$${1024 * 1024}\r\n`));
    assert.equal(p.next(), null);
    assert.equal(errorOf(`*1\r\n$${1024 * 1024 + 1}\r\n`, limits), 'Protocol error: invalid bulk length');
  });

  it('never accepts a bulk longer than a V8 string can be', () => {
    assert.equal(errorOf(`*1\r\n$${MAX_ARG_LENGTH + 1}\r\n`, { maxBulkLen: 2 ** 40 }), 'Protocol error: invalid bulk length');
  });
});

describe('multibulk protocol errors (exact Redis texts)', () => {
  const cases: [string, string][] = [
    ['*abc\r\n', 'Protocol error: invalid multibulk length'],
    ['*\r\n', 'Protocol error: invalid multibulk length'],
    ['*+1\r\n', 'Protocol error: invalid multibulk length'],
    ['*01\r\n', 'Protocol error: invalid multibulk length'],
    ['*-0\r\n', 'Protocol error: invalid multibulk length'],
    ['* 1\r\n', 'Protocol error: invalid multibulk length'],
    ['*2147483648\r\n', 'Protocol error: invalid multibulk length'],
    ['*99999999999999999999999\r\n', 'Protocol error: invalid multibulk length'],
    ['*1\r\n$x\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$-1\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$+4\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$04\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$ 4\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$99999999999\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$536870913\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\nx4\r\n', "Protocol error: expected '$', got 'x'"],
    ['*1\r\n:4\r\n', "Protocol error: expected '$', got ':'"],
    ['*2\r\n$4\r\nECHO\r\n*1\r\n', "Protocol error: expected '$', got '*'"],
    ['*' + '1'.repeat(PROTO_INLINE_MAX_SIZE + 1), 'Protocol error: too big mbulk count string'],
    ['*1\r\n$' + '1'.repeat(PROTO_INLINE_MAX_SIZE + 1), 'Protocol error: too big bulk count string'],
  ];
  for (const [input, msg] of cases) {
    it(`${JSON.stringify(input.length > 40 ? input.slice(0, 40) + '…' : input)} → ${msg}`, () => {
      assert.equal(errorOf(input), msg);
    });
  }

  it('a CR or LF as the unexpected byte is still reported (the reply layer turns it into a space)', () => {
    assert.equal(errorOf('*1\r\n\n4\r\n'), "Protocol error: expected '$', got '\n'");
  });

  it('before authentication: at most 10 arguments and 16 KB per argument', () => {
    assert.equal(errorOf('*11\r\n', { unauthenticated: true }), 'Protocol error: unauthenticated multibulk length');
    assert.equal(errorOf('*2\r\n$4\r\nECHO\r\n$16385\r\n', { unauthenticated: true }), 'Protocol error: unauthenticated bulk length');
    assert.deepEqual(parseAll('*10\r\n', parser({ unauthenticated: true })), []);
    assert.deepEqual(parseAll('*1\r\n$16384\r\n', parser({ unauthenticated: true })), []);
  });

  it('the limit is read when each header is parsed (AUTH in a pipeline lifts it for what follows)', () => {
    const limits = { maxBulkLen: 512 * 1024 * 1024, unauthenticated: true };
    const p = new RequestParser(limits);
    p.feed(Buffer.from('*2\r\n$4\r\nAUTH\r\n$1\r\np\r\n*11\r\n'));
    assert.deepEqual(p.next(), ['AUTH', 'p']);
    limits.unauthenticated = false;
    assert.equal(p.next(), null);
  });

  it('is dead after an error: later bytes are ignored, nothing is pending', () => {
    const p = parser();
    p.feed(Buffer.from('*1\r\n$4\r\nPING\r\n*x\r\n*1\r\n$4\r\nPING\r\n'));
    assert.deepEqual(p.next(), ['PING']);
    assert.ok(p.next() instanceof ProtocolError);
    assert.equal(p.dead, true);
    assert.equal(p.next(), null);
    p.feed(Buffer.from('*1\r\n$4\r\nPING\r\n'));
    assert.equal(p.next(), null);
    assert.equal(p.pending, 0);
  });

  it('a NUL byte before a header terminator leaves the request incomplete (Redis uses strchr)', () => {
    for (const input of ['*1\x00\r\n$4\r\nPING\r\n', '*1\r\n\x00$4\r\nPING\r\n', '*1\r\n$4\x00\r\nPING\r\n']) {
      assert.deepEqual(parseAll(input), [], JSON.stringify(input));
    }
    const stuck = parser();
    assert.deepEqual(parseAll(['*1\x00\r\n', 'x'.repeat(PROTO_INLINE_MAX_SIZE)], stuck).map((r) => (r as ProtocolError).message), [
      'Protocol error: too big mbulk count string',
    ]);
  });
});

describe('inline requests', () => {
  it('splits on blanks, accepts LF or CRLF, ignores empty lines', () => {
    assert.deepEqual(parseAll('SET  k\tv\r\n\r\n\n  \r\nGET k\n'), [['SET', 'k', 'v'], ['GET', 'k']]);
  });

  it('waits for the newline, across chunks', () => {
    assert.deepEqual(parseAll(['PI', 'NG', '\r', '\nEC', 'HO x\n']), [['PING'], ['ECHO', 'x']]);
  });

  it('keeps bytes 128-255 as they are', () => {
    assert.deepEqual(parseAll('ECHO \xff\xe9\x80\r\n'), [['ECHO', '\xff\xe9\x80']]);
  });

  it('a NUL byte before the newline leaves the line incomplete, then too big', () => {
    assert.deepEqual(parseAll('PI\x00NG\r\n'), []);
    assert.equal(errorOf('PI\x00NG\r\n' + 'x'.repeat(PROTO_INLINE_MAX_SIZE)), 'Protocol error: too big inline request');
  });

  it('errors on a line longer than 64 KB without a newline, not at exactly 64 KB', () => {
    assert.deepEqual(parseAll('x'.repeat(PROTO_INLINE_MAX_SIZE)), []);
    assert.equal(errorOf('x'.repeat(PROTO_INLINE_MAX_SIZE + 1)), 'Protocol error: too big inline request');
  });

  it('reports unbalanced quotes', () => {
    assert.equal(errorOf('SET k "v\r\n'), 'Protocol error: unbalanced quotes in request');
    assert.equal(errorOf("SET k 'v\r\n"), 'Protocol error: unbalanced quotes in request');
  });
});

describe('splitInlineArgs (Redis sdssplitargs)', () => {
  const ok: [string, string[]][] = [
    ['', []],
    ['   ', []],
    ['a b  c', ['a', 'b', 'c']],
    ['"a b" c', ['a b', 'c']],
    ["'a b' c", ['a b', 'c']],
    ['"" \'\'', ['', '']],
    ['a"b c"', ['ab c']],
    ["a'b c'", ['ab c']],
    ['"\\x41\\x4a\\x4A"', ['AJJ']],
    ['"\\x4g"', ['x4g']],
    ['"a\\x4"', ['ax4']],
    ['"\\x00\\xff"', ['\x00\xff']],
    ['"\\n\\r\\t\\b\\a\\z\\\\\\""', ['\n\r\t\b\x07z\\"']],
    ["'a\\'b'", ["a'b"]],
    ["'a\\nb'", ['a\\nb']],
    ["'\\x41'", ['\\x41']],
    ['"a"\tb', ['a', 'b']],
    ['"a"\vb', ['a', 'b']],
    ['a\vb \fc', ['a\vb', 'c']],
    ['\v\fa', ['a']],
  ];
  for (const [line, args] of ok) {
    it(`${JSON.stringify(line)} → ${JSON.stringify(args)}`, () => assert.deepEqual(splitInlineArgs(line), args));
  }
  const bad = ['"a', "'a", '"a"b', "'a'b", '"a\\"', '"\\', "'a\\'", 'x "y"z'];
  for (const line of bad) {
    it(`${JSON.stringify(line)} → unbalanced`, () => assert.equal(splitInlineArgs(line), null));
  }
});

describe('parseRespInt (Redis string2ll)', () => {
  const v = (s: string) => parseRespInt(Buffer.from(s), 0, s.length);
  it('accepts canonical decimal integers', () => {
    assert.equal(v('0'), 0);
    assert.equal(v('7'), 7);
    assert.equal(v('-12'), -12);
    assert.equal(v('2147483647'), 2147483647);
  });
  it('refuses everything else', () => {
    for (const s of ['', '-', '-0', '00', '01', '+1', ' 1', '1 ', '1.0', '0x1', '1e3', '123456789012345678901']) {
      assert.ok(Number.isNaN(v(s)), JSON.stringify(s));
    }
  });
  it('reports overflowing values as infinite, which every caller refuses', () => {
    assert.equal(v('99999999999999999999'), Infinity);
  });
});

describe('argument strings', () => {
  it('every length up to 40 bytes and every byte value decode as latin1, flat and one-byte', () => {
    // short arguments are made in JavaScript, longer ones by Buffer#latin1Slice: both must agree
    const p = parser();
    for (let n = 0; n <= 40; n++) {
      for (let round = 0; round < 8; round++) {
        const bytes = Buffer.alloc(n);
        for (let i = 0; i < n; i++) bytes[i] = (n * 37 + round * 101 + i * 59) & 0xff;
        if (round === 0) bytes.fill(0xff);
        if (round === 1) bytes.fill(0);
        const req = Buffer.concat([Buffer.from(`*3\r\n$3\r\nSET\r\n$${n}\r\n`, 'latin1'), bytes, Buffer.from(`\r\n$${n}\r\n`, 'latin1'), bytes, Buffer.from('\r\n')]);
        const [argv] = parseAll(req, p) as string[][];
        const want = bytes.toString('latin1');
        assert.equal(argv[1], want, `length ${n}`);
        assert.equal(argv[2], want);
        assert.equal(Buffer.from(argv[1], 'latin1').equals(bytes), true);
      }
    }
  });
});
