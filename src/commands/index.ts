/*
 * Assembles the command table from the family files. A family file exports `COMMANDS: CommandSpec[]`;
 * adding a command means declaring it in its family, nothing else. `rename-command` from the config
 * is applied here, once, when the table is built.
 */

import { Command, type CommandSpec } from './table';
import type { ConfigRegistry } from '../config/registry';
import { COMMANDS as connection } from './connection';
import { COMMANDS as strings } from './strings';
import { COMMANDS as keys } from './keys';
import { COMMANDS as databases } from './databases';
import { COMMANDS as server } from './server';
import { COMMANDS as config } from './config';
import { COMMANDS as introspection } from './introspection';
import { COMMANDS as acl } from './acl';
import { COMMANDS as lists } from './lists';
import { COMMANDS as hashes } from './hashes';
import { COMMANDS as sets } from './sets';
import { COMMANDS as zsets } from './zsets';
import { COMMANDS as geo } from './geo';
import { COMMANDS as bitmaps } from './bitmaps';
import { COMMANDS as hyperloglog } from './hyperloglog';
import { COMMANDS as sort } from './sort';
import { COMMANDS as transactions } from './transactions';
import { COMMANDS as pubsub } from './pubsub';
import { COMMANDS as dump } from './dump';
import { COMMANDS as persistence } from './persistence';
import { COMMANDS as aof } from './aof';
import { COMMANDS as replication } from './replication';
import { COMMANDS as replicaof } from './replicaof';
import { COMMANDS as audit } from './audit';
import { COMMANDS as throttle } from './throttle';
import { COMMANDS as memory } from './memory';
import { COMMANDS as latency } from './latency';

export const FAMILIES: CommandSpec[][] = [
  connection, strings, keys, databases, server, config, introspection, acl,
  lists, hashes, sets, zsets, geo, bitmaps, hyperloglog, sort, transactions, pubsub, dump, persistence, aof, replication, replicaof, throttle, memory, latency, audit,
];

export function buildCommandTable(cfg?: ConfigRegistry): Map<string, Command> {
  const table = new Map<string, Command>();
  let id = 0;
  for (const fam of FAMILIES) {
    for (const spec of fam) {
      if (table.has(spec.name)) throw new Error(`command ${spec.name} declared twice`);
      const c = new Command(spec);
      c.id = id++;
      if (c.subcommands) for (const s of c.subcommands.values()) s.id = id++;
      table.set(spec.name, c);
    }
  }
  const renames = (cfg?.lookup('rename-command')?.value as [string, string][] | undefined) ?? [];
  for (const [from, to] of renames) {
    const c = table.get(from.toLowerCase());
    if (!c) throw new Error(`No such command in rename-command`);
    table.delete(from.toLowerCase());
    if (to !== '') {
      if (table.has(to.toLowerCase())) throw new Error('Target command name already exists');
      table.set(to.toLowerCase(), c);
    }
  }
  return table;
}
