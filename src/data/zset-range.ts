/*
 * Score and lex intervals of the sorted-set range commands, and their membership tests.
 * A ScoreRange bound is a double (never NaN); a LexRange bound is a member string or -Infinity /
 * +Infinity for "-" and "+". Members compare byte-wise (latin1 strings: `<` is memcmp order).
 */

/** A score interval; `minex`/`maxex` make the bound exclusive. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/**
 * A lexicographic interval. A bound is a member string, or -Infinity/+Infinity for "-" and "+".
 * `minex`/`maxex` make a string bound exclusive.
 */
export interface LexRange {
  min: string | number;
  max: string | number;
  minex: boolean;
  maxex: boolean;
}

export function scoreGteMin(s: number, r: ScoreRange): boolean {
  return r.minex ? s > r.min : s >= r.min;
}
export function scoreLteMax(s: number, r: ScoreRange): boolean {
  return r.maxex ? s < r.max : s <= r.max;
}
export function lexGteMin(m: string, r: LexRange): boolean {
  if (typeof r.min === 'number') return r.min < 0;
  return r.minex ? m > r.min : m >= r.min;
}
export function lexLteMax(m: string, r: LexRange): boolean {
  if (typeof r.max === 'number') return r.max > 0;
  return r.maxex ? m < r.max : m <= r.max;
}

/** True if no score can fall inside the range (Redis's zslIsInRange empty check). */
export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** True if no member can fall inside the range. */
export function lexRangeEmpty(r: LexRange): boolean {
  const c = lexCmp(r.min, r.max);
  return c > 0 || (c === 0 && (r.minex || r.maxex || typeof r.min === 'number'));
}

/** Orders lex bounds: "-" below every string, "+" above (Redis's sdscmplex). */
function lexCmp(a: string | number, b: string | number): number {
  if (a === b) return 0;
  if (typeof a === 'number') return a < 0 ? -1 : 1;
  if (typeof b === 'number') return b > 0 ? -1 : 1;
  return a < b ? -1 : 1;
}
