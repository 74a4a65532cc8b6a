/*
 * Users described as rule strings, the way ACL LIST, ACL GETUSER, ACL SAVE and CONFIG REWRITE show
 * them. Redis does not remember the rules it was given: it recomputes a short description from the
 * command bitmap (ACLDescribeSelectorCommandRules), and so does this file, with the same algorithm:
 *
 *  1. start from "+@all" if the selector has the future-commands slot (only +@all sets it), else
 *     from "-@all", and apply that start to a scratch selector;
 *  2. repeatedly pick the category that best fits what is still different: more commands agreeing
 *     than disagreeing, then fewest disagreements, then most agreements, first in category order on
 *     ties; emit "+@cat" (or "-@cat" when subtracting) and fold it into the scratch state;
 *  3. emit every single command (top-level, then its subcommands) whose bit still differs, then
 *     the first-arg allowances of commands whose bit is off;
 *  4. verify that the scratch bitmap equals the user's: a description that would not reproduce the
 *     permissions is a bug, and refusing to describe beats granting more on reload.
 * Departures: a non-allkeys '*' key pattern (see patternString); and Redis walks its command dictionary in hash order (randomly seeded at start),
 * so its single-command order differs from run to run; Redoubt uses the command table's order.
 */

import { ACL_CATEGORIES } from '../commands/table';
import type { Command } from '../commands/table';
import { PERM_ALL, PERM_READ, PERM_WRITE, Selector, type CommandIndex, type KeyPattern, type User } from './aclrules';

/**
 * One key pattern as a rule. Deliberate difference: a '*' pattern with both permissions that is not
 * `allkeys` (it came from %RW~* or %R~* plus %W~*) is written "%RW~*". Redis writes "~*", which
 * reloads as allkeys and makes the line fail to load when more patterns follow ("~* ~a": Adding a
 * pattern after the * pattern...), so its own ACL SAVE output could not be loaded again.
 */
function patternString(k: KeyPattern): string {
  if (k.flags === PERM_ALL && k.pattern === '*') return '%RW~*';
  const prefix = k.flags === PERM_ALL ? '~' : k.flags === PERM_READ ? '%R~' : k.flags === PERM_WRITE ? '%W~' : null;
  if (prefix === null) throw new Error('invalid key pattern flags');
  return prefix + k.pattern;
}

/** The command part of a selector's description (no trailing space). */
export function describeCommandRules(sel: Selector, index: CommandIndex): string {
  const size = sel.allowed.length;
  const additive = sel.allowed[index.futureBit] === 0;
  const rules: string[] = [additive ? '-@all' : '+@all'];
  const fake = new Selector(false, size, false);
  fake.setAll(!additive);

  // `temp` starts as the user's bitmap; applying the inverse of each chosen category marks its
  // commands as handled, so later rounds count only what is still unexplained.
  const temp = new Selector(false, size, false);
  temp.allowed.set(sel.allowed);
  const applied = new Array<boolean>(ACL_CATEGORIES.length).fill(false);
  const members = ACL_CATEGORIES.map((cat) => [...index.walk()].filter((c) => c.categories.has(cat)));
  for (;;) {
    let best = -1;
    let mindiff = Number.MAX_SAFE_INTEGER;
    let maxsame = 0;
    for (let j = 0; j < ACL_CATEGORIES.length; j++) {
      if (applied[j]) continue;
      let on = 0;
      let off = 0;
      for (const c of members[j]) {
        if (temp.allowed[c.id]) on++;
        else off++;
      }
      const diff = additive ? off : on;
      const same = additive ? on : off;
      if (same > diff && (diff < mindiff || (diff === mindiff && same > maxsame))) {
        best = j;
        mindiff = diff;
        maxsame = same;
      }
    }
    if (best === -1) break;
    const cat = ACL_CATEGORIES[best];
    fake.setCategory(index, cat, additive);
    temp.setCategory(index, cat, !additive);
    rules.push((additive ? '+@' : '-@') + cat);
    applied[best] = true;
  }

  const single = (cmd: Command): void => {
    const userbit = sel.allowed[cmd.id] === 1;
    const fakebit = fake.allowed[cmd.id] === 1;
    if (userbit !== fakebit) {
      rules.push((userbit ? '+' : '-') + cmd.fullname);
      fake.changePerm(cmd, userbit);
    }
    if (cmd.subcommands) for (const s of cmd.subcommands.values()) single(s);
    const fa = sel.firstArgs?.get(cmd.id);
    if (!userbit && fa) for (const a of fa) rules.push(`+${cmd.fullname}|${a}`);
  };
  for (const c of index.top) single(c);

  for (let i = 0; i < size; i++) {
    if (fake.allowed[i] !== sel.allowed[i]) throw new Error(`ACL description does not reproduce the command bitmap: '${rules.join(' ')}'`);
  }
  return rules.join(' ');
}

/** One selector: keys, channels, commands (ACLDescribeSelector). */
export function describeSelector(sel: Selector, index: CommandIndex): string {
  let res = '';
  if (sel.allKeys) res += '~* ';
  else for (const k of sel.keys) res += patternString(k) + ' ';
  if (sel.allChannels) res += '&* ';
  else {
    res += 'resetchannels ';
    for (const c of sel.channels) res += '&' + c.pattern + ' ';
  }
  return res + describeCommandRules(sel, index);
}

/** User flags in Redis's order (ACLUserFlags), as GETUSER lists them. */
export function userFlags(u: User): string[] {
  const f: string[] = [u.enabled ? 'on' : 'off'];
  if (u.nopass) f.push('nopass');
  if (u.sanitize !== 'unset') f.push(u.sanitize);
  return f;
}

/** The Redoubt-only expiry token, when set. */
export function expiryToken(u: User): string | null {
  return u.expireAt === null ? null : `expireat:${Math.floor(u.expireAt / 1000)}`;
}

/** The whole user without its name, as ACL LIST shows it after "user <name> " (ACLDescribeUser). */
export function describeUser(u: User, index: CommandIndex): string {
  let res = '';
  for (const f of userFlags(u)) res += f + ' ';
  const exp = expiryToken(u);
  if (exp !== null) res += exp + ' ';
  for (const c of u.from) res += `from:${c.text} `;
  if (u.rate !== null) res += `rate:${u.rate.text} `;
  for (const p of u.passwords) res += '#' + p + ' ';
  for (const s of u.selectors) {
    const d = describeSelector(s, index);
    res += s.root ? d : ` (${d})`;
  }
  return res;
}

/** GETUSER's "keys" field: patterns separated by spaces, "~*" for allkeys. */
export function keysField(sel: Selector): string {
  return sel.allKeys ? '~*' : sel.keys.map(patternString).join(' ');
}

/** GETUSER's "channels" field. */
export function channelsField(sel: Selector): string {
  return sel.allChannels ? '&*' : sel.channels.map((c) => '&' + c.pattern).join(' ');
}
