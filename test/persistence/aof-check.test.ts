/*
 * `redoubt check-aof`: a good directory is valid; a truncated last file is reported as redis-check-aof
 * 7.0.15 reports it (same offsets and error line) and `--fix` cuts it back; a corrupted middle is
 * invalid.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { REDOUBT_BIN, startRedoubt } from '../support/servers';
import { runCommands } from '../support/dataset';

function check(args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, [REDOUBT_BIN, 'check-aof', ...args], { encoding: 'latin1' });
  return { code: r.status ?? -1, out: r.stdout };
}

const hasRedisCheck = (() => { try { execFileSync('redis-check-aof', ['/nonexistent'], { stdio: 'ignore' }); } catch (e) { return (e as { status?: number }).status === 1; } return true; })();

describe('redoubt check-aof', () => {
  it('validates, reports and fixes like redis-check-aof', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-checkaof-'));
    const s = await startRedoubt(['--dir', dir, '--appendonly', 'yes'], { cwd: dir });
    await runCommands(s.port, [['SET', 'a', '1'], ['MULTI'], ['INCR', 'a'], ['RPUSH', 'l', 'x'], ['EXEC']]);
    await s.stop();
    const aofdir = path.join(dir, 'appendonlydir');
    const manifest = path.join(aofdir, 'appendonly.aof.manifest');
    let r = check([aofdir]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /All AOF files and manifest are valid/);
    const incr = path.join(aofdir, 'appendonly.aof.1.incr.aof');
    const good = fs.statSync(incr).size;
    fs.appendFileSync(incr, '*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1');
    r = check([manifest]);
    assert.equal(r.code, 1);
    assert.match(r.out, new RegExp(`ok_up_to=${good}, .*diff=`));
    assert.match(r.out, /AOF appendonly\.aof\.1\.incr\.aof is not valid\. Use the --fix option to try fixing it\./);
    if (hasRedisCheck) {
      const theirs = spawnSync('redis-check-aof', [manifest], { encoding: 'latin1' }).stdout.split('\n').filter((l) => /^0x|AOF analyzed: filename=appendonly\.aof\.1\.incr/.test(l));
      const ours = r.out.split('\n').filter((l) => /^0x|AOF analyzed: filename=appendonly\.aof\.1\.incr/.test(l));
      assert.deepEqual(ours, theirs);
    }
    r = check(['--fix', manifest]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Successfully truncated AOF appendonly\.aof\.1\.incr\.aof/);
    assert.equal(fs.statSync(incr).size, good);
    fs.appendFileSync(incr, 'garbage\r\n*1\r\n$4\r\nPING\r\n');
    r = check([incr]);
    assert.equal(r.code, 1);
    assert.match(r.out, /Expected prefix '\*', got: 'g'/);
  });
});
