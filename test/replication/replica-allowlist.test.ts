/*
 * replicaof-allowed-primaries entries and matching (src/security/primaries.ts): names match names
 * only, addresses and blocks match addresses only, a port narrows an entry, malformed entries are
 * refused, and an empty list allows any primary (Redis's behaviour).
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { parsePrimaryEntry, primaryAllowed, type PrimaryEntry } from '../../src/security/primaries';

function list(...words: string[]): PrimaryEntry[] {
  return words.map((w) => {
    const e = parsePrimaryEntry(w);
    assert.ok(e !== null, w);
    return e;
  });
}

describe('replicaof-allowed-primaries', () => {
  it('canonicalises entries', () => {
    assert.deepEqual(list('10.0.0.5', '10.0.0.5:6379', '10.0.0.9/24', '10.0.0.0/24:6380', 'DB1.Example:6379', '[fd00::1]:7000', 'fd00::/64', '[FD00::/64]:6379').map((e) => e.text),
      ['10.0.0.5', '10.0.0.5:6379', '10.0.0.0/24', '10.0.0.0/24:6380', 'db1.example:6379', '[fd00::1]:7000', 'fd00::/64', '[fd00::/64]:6379']);
  });

  it('refuses malformed entries', () => {
    for (const w of ['', ':6379', 'host:', 'host:0', 'host:65536', 'host:06379', '10.0.0.0/33', '[fd00::1', '[fd00::1]6379', 'a b', 'x/y', '*.example', 'h:1:2:x']) {
      assert.equal(parsePrimaryEntry(w), null, JSON.stringify(w));
    }
  });

  it('allows any primary when empty', () => {
    assert.equal(primaryAllowed([], '203.0.113.9', 6379), true);
  });

  it('matches addresses against address entries and blocks, with optional ports', () => {
    const l = list('10.0.0.5', '192.168.1.0/24:6379', '[fd00::/64]:7000');
    assert.equal(primaryAllowed(l, '10.0.0.5', 1234), true);
    assert.equal(primaryAllowed(l, '10.0.0.6', 6379), false);
    assert.equal(primaryAllowed(l, '192.168.1.77', 6379), true);
    assert.equal(primaryAllowed(l, '192.168.1.77', 6380), false);
    assert.equal(primaryAllowed(l, 'fd00::abcd', 7000), true);
    assert.equal(primaryAllowed(l, 'fd01::1', 7000), false);
  });

  it('matches names only against name entries (no resolution, no widening)', () => {
    const l = list('primary.internal:6379', '127.0.0.0/8');
    assert.equal(primaryAllowed(l, 'PRIMARY.internal', 6379), true);
    assert.equal(primaryAllowed(l, 'primary.internal', 6380), false);
    // "localhost" resolves into 127/8, but a name is never matched by an address block
    assert.equal(primaryAllowed(l, 'localhost', 6379), false);
    assert.equal(primaryAllowed(l, 'evil.example', 6379), false);
    assert.equal(primaryAllowed(l, '127.0.0.1', 6379), true);
  });
});
