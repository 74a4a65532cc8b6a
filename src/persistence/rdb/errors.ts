/*
 * The one exception type of the RDB codec. Every malformed-input failure (truncation, a forged
 * length, a corrupt listpack, a duplicate member, an unsupported type) is an RdbError, so callers
 * (RESTORE, the RDB loader, check-rdb) can tell bad bytes from bugs: anything else escaping the
 * decoder is a defect in Redoubt, never a property of the input.
 */

export class RdbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RdbError';
  }
}
