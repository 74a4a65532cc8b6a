/*
 * Every compiled module's `exports` object must stay in V8's fast (map-based) property mode.
 *
 * Why: TypeScript compiles a re-export (`export { x } from './y'`, or `export { x }` of an imported
 * name) to `Object.defineProperty(exports, 'x', { get })` over a property it first set to
 * undefined. Redefining a data property as an accessor turns the whole exports object into a
 * dictionary. Every `module_1.fn(...)` call and every in-module use of an exported const
 * (TypeScript writes `exports.LB`) then goes through a generic LoadIC hash lookup that the
 * optimizing compiler cannot inline: that was ~7% of a sorted-set update. Import from the module
 * that defines the name instead of re-exporting it.
 *
 * The check runs in a child process started with --allow-natives-syntax (%HasFastProperties).
 */

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const SRC = path.resolve(__dirname, '../../src');

const PROBE = `
const fs = require('fs'), path = require('path');
const root = process.argv[1];
const slow = [];
let n = 0;
(function walk(d) {
  for (const f of fs.readdirSync(d).sort()) {
    const p = path.join(d, f);
    if (fs.statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.js')) { n++; if (!%HasFastProperties(require(p))) slow.push(path.relative(root, p)); }
  }
})(root);
process.stdout.write(JSON.stringify({ n, slow }));
`;

describe('module exports objects', () => {
  it('are all in fast property mode (no re-exports)', () => {
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '-e', PROBE, SRC], { encoding: 'utf8' });
    const { n, slow } = JSON.parse(out) as { n: number; slow: string[] };
    assert.ok(n > 100, `only ${n} modules found under ${SRC}`);
    assert.deepEqual(slow, [], `dictionary-mode exports (re-exported names?): ${slow.join(', ')}`);
  });
});
