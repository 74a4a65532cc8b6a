/*
 * The address arithmetic under trusted-networks and the ACL from: rule: parsing (IPv4, IPv6 with
 * '::' and embedded IPv4, IPv4-mapped folding, prefixes), canonical text, and membership —
 * including a property check against a naive bit-by-bit comparison.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCidr, parseIp, cidrContains, isLoopbackIp } from '../../src/security/cidr';
import { isLoopbackBind, unauthenticatedNetworkRefusal } from '../../src/net/admission';
import { User } from '../../src/security/aclrules';

const has = (cidr: string, ip: string) => cidrContains(parseCidr(cidr)!, parseIp(ip)!);

describe('CIDR blocks', () => {
  it('parses and canonicalises', () => {
    const t = (s: string) => parseCidr(s)?.text ?? null;
    assert.equal(t('10.1.2.3/8'), '10.0.0.0/8');
    assert.equal(t('10.1.2.3'), '10.1.2.3/32');
    assert.equal(t('0.0.0.0/0'), '0.0.0.0/0');
    assert.equal(t('2001:DB8:0:0:0:0:0:1/32'), '2001:db8::/32');
    assert.equal(t('::1'), '::1/128');
    assert.equal(t('::'), '::/128');
    assert.equal(t('fe80::1:0:0:5/64'), 'fe80::/64');
    assert.equal(t('1:0:0:2:0:0:0:3'), '1:0:0:2::3/128');
    assert.equal(t('::ffff:192.168.1.77/120'), '192.168.1.0/24');
    assert.equal(t('::ffff:10.0.0.1'), '10.0.0.1/32');
    assert.equal(t('::ffff:0:0/96'), '0.0.0.0/0');
    assert.equal(t('64:ff9b::192.0.2.33/128'), '64:ff9b::c000:221/128');
    for (const bad of ['', '/8', '10.0.0.0/', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/ 8', '256.0.0.0', '1.2.3', '::1/129', ':::', '1::2::3', 'localhost', '10.0.0.0/8/8', 'fe80::1%lo', '01.2.3.4']) {
      assert.equal(parseCidr(bad), null, bad);
    }
  });

  it('matches by family, folding IPv4-mapped peers to IPv4', () => {
    assert.ok(has('10.0.0.0/8', '10.255.1.2'));
    assert.ok(!has('10.0.0.0/8', '11.0.0.1'));
    assert.ok(has('10.0.0.0/8', '::ffff:10.1.1.1'));
    assert.ok(has('::ffff:10.0.0.0/104', '10.3.3.3'));
    assert.ok(!has('::/0', '10.0.0.1'));
    assert.ok(has('::/0', '2001:db8::9'));
    assert.ok(has('0.0.0.0/0', '203.0.113.7'));
    assert.ok(has('2001:db8::/32', '2001:db8:ffff::1'));
    assert.ok(!has('2001:db8::/32', '2001:db9::1'));
    assert.ok(isLoopbackIp(parseIp('127.8.9.10')!));
    assert.ok(isLoopbackIp(parseIp('::ffff:127.0.0.1')!));
    assert.ok(isLoopbackIp(parseIp('::1')!));
    assert.ok(!isLoopbackIp(parseIp('::')!));
  });

  it('agrees with a bit-by-bit comparison (property)', () => {
    fc.assert(fc.property(fc.boolean(), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.nat(128),
      (v4, a, b, p) => {
        const bits = v4 ? 32 : 128;
        const prefix = p % (bits + 1);
        const mask = (1n << BigInt(bits)) - 1n;
        const na = a & mask;
        // half the time share the prefix so that matches are exercised
        const nb = (p & 1) === 0 ? b & mask : ((na >> BigInt(bits - prefix)) << BigInt(bits - prefix)) | ((b & mask) & ((1n << BigInt(bits - prefix)) - 1n));
        const fmt = (x: bigint) => v4
          ? [24n, 16n, 8n, 0n].map((s) => String((x >> s) & 0xffn)).join('.')
          : Array.from({ length: 8 }, (_, i) => ((x >> BigInt((7 - i) * 16)) & 0xffffn).toString(16)).join(':');
        const block = parseCidr(`${fmt(na)}/${prefix}`)!;
        const ip = parseIp(fmt(nb))!;
        fc.pre(block.family === (v4 ? 4 : 6) && ip.family === block.family);
        let same = true;
        for (let i = bits - 1; i >= bits - prefix; i--) if (((na >> BigInt(i)) & 1n) !== ((nb >> BigInt(i)) & 1n)) same = false;
        assert.equal(cidrContains(block, ip), same);
        assert.equal(parseCidr(block.text)!.text, block.text);
      }), { numRuns: 500 });
  });
});

describe('the unauthenticated-network rule', () => {
  const user = (enabled: boolean, nopass: boolean) => Object.assign(new User('default', 4, true), { enabled, nopass });
  const refuse = (bind: string[], u = user(true, true), allow = false, ports = [6380]) =>
    unauthenticatedNetworkRefusal({ bind, tcpPorts: ports, defaultUser: u, allow }) !== null;

  it('tells loopback bind addresses from the rest', () => {
    for (const a of ['127.0.0.1', '-127.0.0.1', '127.1.2.3', '::1', '-::1', '::ffff:127.0.0.1']) assert.ok(isLoopbackBind(a), a);
    for (const a of ['*', '::*', '0.0.0.0', '::', '-0.0.0.0', '10.0.0.1', 'localhost', '::ffff:10.0.0.1']) assert.ok(!isLoopbackBind(a), a);
  });

  it('refuses only a reachable, enabled, passwordless default user without the directive', () => {
    assert.ok(refuse(['*']));
    assert.ok(refuse(['127.0.0.1', '-::*']));
    assert.ok(!refuse(['127.0.0.1', '-::1']));
    assert.ok(!refuse(['*'], user(true, false)));
    assert.ok(!refuse(['*'], user(false, true)));
    assert.ok(!refuse(['*'], undefined, true));
    assert.ok(!refuse(['*'], undefined, false, [0, 0]));
    assert.ok(refuse(['*'], undefined, false, [0, 6380]));
  });
});
