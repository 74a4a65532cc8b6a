/*
 * RDB format numbers (Redis 7.0, RDB version 10): value types, opcodes, string encodings.
 * The numbers are the file format itself and never change meaning between versions.
 */

export const RDB_VERSION = 10;

export const TYPE = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_PRE_GA: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
} as const;

export const OP = {
  FUNCTION_PRE_GA: 245,
  FUNCTION2: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

/** Length-prefix forms (the two top bits of the first byte). */
export const LEN_6BIT = 0;
export const LEN_14BIT = 1;
export const LEN_32BIT = 0x80;
export const LEN_64BIT = 0x81;
export const LEN_ENCVAL = 3;

/** "Encoded" string forms (first byte 11xxxxxx). */
export const ENC_INT8 = 0;
export const ENC_INT16 = 1;
export const ENC_INT32 = 2;
export const ENC_LZF = 3;

/** Quicklist 2 node containers. */
export const QL_PLAIN = 1;
export const QL_PACKED = 2;

/** Strings at least this long go to a PLAIN quicklist node (Redis's packed_threshold, 1 GB). */
export const PACKED_THRESHOLD = 1 << 30;

/** What each value type Redoubt cannot hold is called in errors. */
export function unsupportedTypeName(t: number): string | null {
  switch (t) {
    case TYPE.STREAM_LISTPACKS:
    case TYPE.STREAM_LISTPACKS_2:
    case 21:
      return 'stream values';
    case TYPE.MODULE_PRE_GA:
    case TYPE.MODULE_2:
      return 'module values';
    case 20:
      return 'listpack-encoded sets (Redis 7.2)';
    default:
      return null;
  }
}
