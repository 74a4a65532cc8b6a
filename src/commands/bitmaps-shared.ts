/*
 * Pieces shared by the bitmap commands (bitmaps.ts, bitfield.ts): bit offset parsing with Redis's
 * limits, and the write lookup that creates or zero-pads a string so a bit can be addressed.
 *
 * Invariant: a bitmap write edits the stored value in place as a ByteString (unshareString), so
 * SETBIT and BITFIELD cost O(1) (amortised, when the value grows) as in Redis, not O(length).
 */

import { constants as bufferConstants } from 'node:buffer';
import type { Ctx } from './context';
import { ERR, parseLongLong } from './util';
import { RObj } from '../data/keyspace';
import { ByteString } from '../data/bytes';
import { lookupWrite, unshareString } from './strings-shared';

export const BIT_OFFSET_ERR = 'ERR bit offset is not an integer or out of range';

/**
 * Redis's getBitOffsetFromArgument: a non-negative 64-bit integer whose byte is below
 * proto-max-bulk-len (not checked for the primary's stream). With `bits` > 0 (BITFIELD), "#N"
 * means N * bits. Returns null after replying the error.
 *
 * Offsets are only parsed here; writes are further bounded by lookupStringForBit.
 */
export function parseBitOffset(ctx: Ctx, arg: string, bits = 0): number | null {
  const hash = bits > 0 && arg.charCodeAt(0) === 35; // '#'
  let v = parseLongLong(hash ? arg.slice(1) : arg);
  if (v === null) {
    ctx.reply.error(BIT_OFFSET_ERR);
    return null;
  }
  // C multiplies in 64 bits and wraps; a wrapped result is then refused as negative or too big
  if (hash) v = BigInt.asIntN(64, v * BigInt(bits));
  const limit = BigInt(Number(ctx.server.config.lookup('proto-max-bulk-len')?.value ?? 512 * 1024 * 1024));
  if (v < 0n || (ctx.client.kind !== 'master' && v >> 3n >= limit) || v >> 3n >= MAX_BYTES) {
    ctx.reply.error(BIT_OFFSET_ERR);
    return null;
  }
  return Number(v);
}

/** Past any buffer Node can hold: refused even for the primary's stream. */
const MAX_BYTES = BigInt(bufferConstants.MAX_LENGTH);

/**
 * The longest string value a write may build: V8's longest string, so that GET can still read it
 * (Redis allows up to proto-max-bulk-len, 512 MB; this refuses only the last 24 bytes below it).
 */
const MAX_VALUE_BYTES = bufferConstants.MAX_STRING_LENGTH;

export interface BitTarget {
  o: RObj;
  b: ByteString;
  /** the key was created or grown (Redis counts that as a change even if no bit flips) */
  dirty: boolean;
}

/**
 * Redis's lookupStringForBitCommand: the string at argv[1], created or zero-padded so that bit
 * `maxbit` exists, ready for in-place edits. Null after replying WRONGTYPE.
 */
export function lookupStringForBit(ctx: Ctx, maxbit: number): BitTarget | null {
  const key = ctx.argv[1];
  const byte = Math.floor(maxbit / 8);
  let o = lookupWrite(ctx, key);
  if (o !== undefined && o.type !== 'string') {
    ctx.reply.error(ERR.WRONGTYPE);
    return null;
  }
  if (byte >= MAX_VALUE_BYTES) {
    ctx.reply.error(BIT_OFFSET_ERR);
    return null;
  }
  if (o === undefined) {
    const b = ByteString.zeros(byte + 1);
    o = new RObj('string', b, 'raw', ctx.server.lruClock);
    ctx.db.add(key, o);
    return { o, b, dirty: true };
  }
  const b = unshareString(o);
  const oldLen = b.len;
  b.growZero(byte + 1);
  return { o, b, dirty: b.len !== oldLen };
}

/** Bits set in each byte value. */
export const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];
