/*
 * Pieces shared by the sorted-set command files: Redis's number parsing for scores and ranges
 * (C strtod semantics, as t_zset.c relies on them), the encoding bookkeeping, lookups and the
 * reply shapes that differ between RESP2 (flat member/score lists) and RESP3 (nested pairs).
 *
 * Encoding invariant: a zset RObj's `enc` is 'listpack' until a write makes it too big (more
 * members than zset-max-listpack-entries, or a member longer than zset-max-listpack-value), then
 * 'skiplist' for good; only *STORE destinations are born with the encoding their final size
 * calls for (Redis's zsetConvertToListpackIfNeeded).
 */

import type { Ctx } from './context';
import { RObj } from '../data/keyspace';
import { ZSet } from '../data/zset';
import type { ScoreRange } from '../data/zset-range';
import type { LexRange } from '../data/zset-range';
import { limits } from '../data/encoding';
import { setHas, setSize, setForEach } from '../data/settype';
import { formatDouble17g, BulkArrayBuilder, BUILD_MIN } from '../protocol/reply';
import { ERR, plainDecimal } from './util';
import { lookupRead, lookupWrite } from './strings-shared';


/* ------------------------------------------------------------------ strtod */

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

interface Strtod {
  v: number;
  /** index after the parsed text (== start when nothing was parsed) */
  end: number;
  /** the value overflowed to +-inf or underflowed to 0 (C's ERANGE) */
  erange: boolean;
}

const DEC_RE = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;
const HEX_RE = /^0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)([pP][+-]?\d+)?/;

/** C strtod from the start of `s` (leading white space skipped, as the C function does). */
export function strtod(s: string): Strtod {
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const c = s.charCodeAt(i);
  if (c === 43 || c === 45) {
    neg = c === 45;
    i++;
  }
  const rest = s.slice(i, i + 5000);
  const low = rest.slice(0, 8).toLowerCase();
  if (low.startsWith('infinity')) return { v: neg ? -Infinity : Infinity, end: i + 8, erange: false };
  if (low.startsWith('inf')) return { v: neg ? -Infinity : Infinity, end: i + 3, erange: false };
  if (low.startsWith('nan')) {
    let e = i + 3;
    const m = /^\([0-9A-Za-z_]*\)/.exec(s.slice(e));
    if (m !== null) e += m[0].length;
    return { v: NaN, end: e, erange: false };
  }
  const hx = HEX_RE.exec(rest);
  if (hx !== null) {
    const [intPart, fracPart = ''] = hx[1].split('.');
    const digits = (intPart + fracPart).replace(/^0+/, '') || '0';
    let exp = hx[2] !== undefined ? Number(hx[2].slice(1)) : 0;
    exp -= 4 * fracPart.length;
    let v = Number(BigInt('0x' + digits));
    // scale in steps so intermediate powers do not overflow before the final value does
    while (exp > 0 && v !== Infinity) { const k = Math.min(exp, 1000); v *= 2 ** k; exp -= k; }
    while (exp < 0 && v !== 0) { const k = Math.min(-exp, 1000); v /= 2 ** k; exp += k; }
    const erange = v === Infinity || (v === 0 && digits !== '0');
    return { v: neg ? -v : v, end: i + hx[0].length, erange };
  }
  const m = DEC_RE.exec(rest);
  if (m === null) return { v: 0, end: 0, erange: false };
  const v = Number(m[0]);
  const erange = v === Infinity || (v === 0 && /[1-9]/.test(m[1]));
  return { v: neg ? -v : v, end: i + m[0].length, erange };
}

/**
 * A score argument as Redis's getDoubleFromObject: the whole string must parse, no leading space,
 * no overflow or underflow to zero, never NaN. Null when invalid.
 */
export function parseScore(s: string): number | null {
  const quick = plainDecimal(s);
  if (quick !== null) return quick;
  if (s.length === 0 || isCSpace(s.charCodeAt(0))) return null;
  const r = strtod(s);
  if (r.end !== s.length || r.end === 0 || Number.isNaN(r.v)) return null;
  if (r.erange && (r.v === Infinity || r.v === -Infinity || r.v === 0)) return null;
  return r.v;
}

/** Parses a score or writes "value is not a valid float" (or `msg`). */
export function scoreOrReply(ctx: Ctx, s: string, msg: string = ERR.NOT_FLOAT): number | null {
  const v = parseScore(s);
  if (v === null) ctx.reply.error(msg);
  return v;
}

/** One bound of a score range (zslParseRange): "(" makes it exclusive; C strtod, trailing bytes refused. */
function parseScoreBound(s: string): { v: number; ex: boolean } | null {
  let ex = false;
  if (s.charCodeAt(0) === 40) {
    ex = true;
    s = s.slice(1);
  }
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul); // C string: the argument ends at its first NUL
  const r = strtod(s);
  if (r.end !== s.length) return null;
  if (Number.isNaN(r.v)) return null;
  return { v: r.v, ex };
}

/** A score range from min/max arguments, or null ("min or max is not a float"). */
export function parseScoreRange(min: string, max: string): ScoreRange | null {
  const a = parseScoreBound(min);
  if (a === null) return null;
  const b = parseScoreBound(max);
  if (b === null) return null;
  return { min: a.v, max: b.v, minex: a.ex, maxex: b.ex };
}

function parseLexBound(s: string): { v: string | number; ex: boolean } | null {
  const c = s.charCodeAt(0);
  if (c === 43 /* + */ && s.length === 1) return { v: Infinity, ex: true };
  if (c === 45 /* - */ && s.length === 1) return { v: -Infinity, ex: true };
  if (c === 40 /* ( */) return { v: s.slice(1), ex: true };
  if (c === 91 /* [ */) return { v: s.slice(1), ex: false };
  return null;
}

/** A lex range from min/max arguments, or null ("min or max not valid string range item"). */
export function parseLexRange(min: string, max: string): LexRange | null {
  const a = parseLexBound(min);
  if (a === null) return null;
  const b = parseLexBound(max);
  if (b === null) return null;
  return { min: a.v, max: b.v, minex: a.ex, maxex: b.ex };
}

/** Redis's getLongFromObject: a 64-bit integer (as a number), or null. */
export function parseLong(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return null;
  if (n >= 19) {
    const b = BigInt(s);
    if (b > 9223372036854775807n || b < -9223372036854775808n) return null;
  }
  return Number(s);
}

export function longOrReply(ctx: Ctx, s: string): number | null {
  const v = parseLong(s);
  if (v === null) ctx.reply.error(ERR.NOT_INTEGER);
  return v;
}

/* ------------------------------------------------------------------ values and encodings */

/** The sorted set at `o`, or undefined after a WRONGTYPE reply. */
export function asZset(ctx: Ctx, o: RObj): ZSet | undefined {
  if (o.type !== 'zset') {
    ctx.reply.error(ERR.WRONGTYPE);
    return undefined;
  }
  return o.value as ZSet;
}

/** A new, empty zset object as ZADD creates it (its first member decides listpack or not). */
export function newZsetObject(ctx: Ctx, firstMember: string): RObj {
  const enc = limits.zsetMaxListpackEntries === 0 || firstMember.length > limits.zsetMaxListpackValue ? 'skiplist' : 'listpack';
  return new RObj('zset', new ZSet(), enc, ctx.server.lruClock);
}

/** Records that `member` was just inserted: converts to skiplist when the listpack is outgrown. */
export function noteInsert(o: RObj, member: string): void {
  if (o.enc === 'listpack' && ((o.value as ZSet).size > limits.zsetMaxListpackEntries || member.length > limits.zsetMaxListpackValue)) {
    o.enc = 'skiplist';
  }
}

/** A *STORE destination: encoded for its final size, as zsetConvertToListpackIfNeeded does. */
export function storeObject(ctx: Ctx, z: ZSet, maxLen: number): RObj {
  const enc = z.size <= limits.zsetMaxListpackEntries && maxLen <= limits.zsetMaxListpackValue ? 'listpack' : 'skiplist';
  if (enc === 'listpack') for (let n = z.first(); n !== null; n = n.next()) n.score = listpackScore(n.score);
  return new RObj('zset', z, enc, ctx.server.lruClock);
}

/**
 * A listpack stores a score as text (integers as integers), so -0 reads back as 0; a skiplist
 * keeps the double as is.
 */
export function listpackScore(d: number): number {
  return d === 0 ? 0 : d;
}

/** Members of a set or sorted set used as an input of ZUNION/ZINTER/ZDIFF (sets score 1). */
export interface ZSource {
  size: number;
  /** score of member, undefined when absent */
  get(member: string): number | undefined;
  /** members in the source's own order */
  each(fn: (member: string, score: number) => void): void;
  /** identity of the stored value, to spot a key given twice */
  id: unknown;
}

const EMPTY_SOURCE: ZSource = { size: 0, get: () => undefined, each: () => {}, id: null };

/** A set as a source: every member scores 1 (src/data/settype.ts owns its representation). */
function setSource(o: RObj): ZSource {
  return {
    size: setSize(o),
    get: (m) => (setHas(o, m) ? 1 : undefined),
    each: (fn) => setForEach(o, (m) => {
      fn(m, 1);
    }),
    id: o.value,
  };
}

export function zsetSource(z: ZSet): ZSource {
  return {
    size: z.size,
    get: (m) => z.score(m),
    each: (fn) => {
      for (let n = z.first(); n !== null; n = n.next()) fn(n.member, n.score);
    },
    id: z,
  };
}

/** The source for a key of ZUNION & co: missing -> empty; wrong type -> null after WRONGTYPE. */
export function sourceOf(ctx: Ctx, o: RObj | undefined): ZSource | null {
  if (o === undefined) return EMPTY_SOURCE;
  if (o.type === 'zset') return zsetSource(o.value as ZSet);
  if (o.type === 'set') return setSource(o);
  ctx.reply.error(ERR.WRONGTYPE);
  return null;
}

/* ------------------------------------------------------------------ replies */

export function scoreString(d: number): string {
  return formatDouble17g(d);
}

/**
 * Emits `n` member/score pairs: RESP2 a flat array of 2n items, RESP3 an array of n [member, score]
 * arrays (Redis's zrange result handler). Without scores, an array of members.
 */
export class PairWriter {
  constructor(
    private readonly ctx: Ctx,
    private readonly withScores: boolean,
  ) {}
  /** the reply is being built as one flat string (BulkArrayBuilder); end() hands it over */
  private building = false;

  /**
   * Starts an n-element reply. With `build`, a long one is built as one flat string (see
   * BulkArrayBuilder), and the caller must call end() once every element is emitted.
   */
  begin(n: number, build = false): void {
    const r = this.ctx.reply;
    const header = this.withScores && r.resp === 2 ? n * 2 : n;
    if (build && n >= BUILD_MIN) {
      this.building = true;
      BulkArrayBuilder.begin('*' + header + '\r\n');
      return;
    }
    r.array(header);
  }
  emit(member: string, score: number): void {
    const r = this.ctx.reply;
    if (this.building) {
      if (!this.withScores) return BulkArrayBuilder.bulk(member);
      // the same bytes as Reply.array(2) / bulk / double below
      if (r.resp === 3) {
        BulkArrayBuilder.raw('*2\r\n');
        BulkArrayBuilder.bulk(member);
        BulkArrayBuilder.raw(',' + formatDouble17g(score) + '\r\n');
      } else {
        BulkArrayBuilder.bulk(member);
        BulkArrayBuilder.bulk(formatDouble17g(score));
      }
      return;
    }
    if (!this.withScores) return r.bulk(member);
    if (r.resp === 3) r.array(2);
    r.bulk(member);
    r.double(score);
  }
  end(): void {
    if (!this.building) return;
    this.building = false;
    this.ctx.reply.raw(BulkArrayBuilder.finish());
  }
}

/** Calls the hooks Redis calls after a sorted set changed, and deletes it when empty. */
export function afterWrite(ctx: Ctx, key: string, z: ZSet, event: string): void {
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.notifyKeyspaceEvent('z', event, key, ctx.db.id);
  if (z.size === 0) {
    ctx.db.delete(key);
    ctx.server.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
  }
}
