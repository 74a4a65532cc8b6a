/*
 * Test-side RESP reply reader: finds where one complete reply ends in a byte buffer and decodes it
 * into a plain value, keeping the RESP type of every node (so RESP2/RESP3 differences are visible to
 * comparisons). Used by the differential harness and raw-socket tests.
 */

export type RespValue =
  | { t: '+' | '-' | ':' | ',' | '(' | '#' | '_'; v: string }
  | { t: '$' | '='; v: string | null }
  | { t: '*' | '~' | '>' | '%' | '|'; v: RespValue[] | null };

/** Returns [value, endOffset] or null if the buffer does not hold a complete reply yet. */
export function readReply(buf: Buffer, pos = 0): [RespValue, number] | null {
  if (pos >= buf.length) return null;
  const t = String.fromCharCode(buf[pos]);
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return null;
  const line = buf.toString('latin1', pos + 1, nl);
  const next = nl + 2;
  switch (t) {
    case '+': case '-': case ':': case ',': case '(': case '#': case '_':
      return [{ t, v: line }, next];
    case '$': case '=': {
      const n = Number(line);
      if (n < 0) return [{ t, v: null }, next];
      if (buf.length < next + n + 2) return null;
      return [{ t, v: buf.toString('latin1', next, next + n) }, next + n + 2];
    }
    case '*': case '~': case '>': case '%': case '|': {
      let n = Number(line);
      if (n < 0) return [{ t, v: null }, next];
      if (t === '%' || t === '|') n *= 2;
      const items: RespValue[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = readReply(buf, p);
        if (r === null) return null;
        items.push(r[0]);
        p = r[1];
      }
      if (t === '|') {
        // an attribute precedes the real reply
        const r = readReply(buf, p);
        if (r === null) return null;
        return [{ t, v: [...items, r[0]] }, r[1]];
      }
      return [{ t, v: items }, p];
    }
    default:
      throw new Error(`bad RESP type byte ${JSON.stringify(t)} at ${pos}: ${JSON.stringify(buf.toString('latin1', pos, pos + 40))}`);
  }
}

/** Canonical text of a reply with aggregate elements sorted (for unordered comparisons). */
export function canonical(v: RespValue, sortAggregates: boolean): string {
  if (Array.isArray(v.v)) {
    let parts = v.v.map((x) => canonical(x, sortAggregates));
    if (sortAggregates) {
      if (v.t === '%') {
        const pairs: string[] = [];
        for (let i = 0; i < parts.length; i += 2) pairs.push(parts[i] + '=>' + parts[i + 1]);
        parts = pairs.sort();
      } else {
        parts = parts.sort();
      }
    }
    return `${v.t}[${parts.join(',')}]`;
  }
  return `${v.t}${JSON.stringify(v.v)}`;
}

/** Encodes a command as a RESP multibulk request (latin1 byte strings). */
export function encodeCommand(args: string[]): Buffer {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return Buffer.from(s, 'latin1');
}
