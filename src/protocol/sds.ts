/*
 * Redis's two string helpers that shape text on the wire and in files, implemented once:
 *  - splitArgs = sdssplitargs: inline requests, redis.conf lines, command-line options;
 *  - repr = sdscatrepr: MONITOR lines, CONFIG REWRITE values, command-line options rebuilt as text.
 * Both work on byte strings (latin1, one character per byte).
 */

/* Character classes of sdssplitargs: isspace() in the C locale skips blanks and ends a quoted word,
 * but only these five characters end an unquoted word (so "\v" and "\f" stay inside it). */
function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
function endsBareWord(c: number): boolean {
  return c === 32 || c === 10 /* LF */ || c === 13 /* CR */ || c === 9 || c === 0;
}
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Splits a line exactly like Redis's sdssplitargs: blanks separate words; "double
 * quotes" understand \n \r \t \b \a \xHH and \<any>; 'single quotes' understand only \'; a closing
 * quote must be followed by a blank or the end of the line. Returns null on unbalanced quotes.
 * `line` is a latin1 byte string.
 */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  const n = line.length;
  const at = (k: number): number => (k < n ? line.charCodeAt(k) : 0);
  let i = 0;
  for (;;) {
    while (i < n && isCSpace(line.charCodeAt(i))) i++;
    if (i >= n) return out;
    let inDouble = false;
    let inSingle = false;
    let cur = '';
    for (let done = false; !done; ) {
      const c = at(i);
      if (inDouble) {
        if (c === 92 /* \ */ && at(i + 1) === 120 /* x */ && hexValue(at(i + 2)) >= 0 && hexValue(at(i + 3)) >= 0) {
          cur += String.fromCharCode(hexValue(at(i + 2)) * 16 + hexValue(at(i + 3)));
          i += 3;
        } else if (c === 92 && at(i + 1) !== 0) {
          i++;
          const e = at(i);
          cur += e === 110 ? '\n' : e === 114 ? '\r' : e === 116 ? '\t' : e === 98 ? '\b' : e === 97 ? '\x07' : line[i];
        } else if (c === 34 /* " */) {
          if (at(i + 1) !== 0 && !isCSpace(at(i + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          cur += line[i];
        }
      } else if (inSingle) {
        if (c === 92 && at(i + 1) === 39 /* ' */) {
          i++;
          cur += "'";
        } else if (c === 39) {
          if (at(i + 1) !== 0 && !isCSpace(at(i + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          cur += line[i];
        }
      } else if (endsBareWord(c)) {
        done = true;
      } else if (c === 34) {
        inDouble = true;
      } else if (c === 39) {
        inSingle = true;
      } else {
        cur += line[i];
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}

/** sdscatrepr: a double-quoted string with C escapes; bytes outside printable ASCII as \xHH. */
export function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x5c: out += '\\\\'; break;
      case 0x22: out += '\\"'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x07: out += '\\a'; break;
      case 0x08: out += '\\b'; break;
      default:
        out += c >= 0x20 && c < 0x7f ? s[i] : '\\x' + c.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}
