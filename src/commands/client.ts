/*
 * CLIENT: the connection-management container (ID, SETNAME, GETNAME, INFO, LIST, KILL, REPLY,
 * NO-EVICT, PAUSE, UNPAUSE, UNBLOCK, TRACKING, CACHING, GETREDIR, TRACKINGINFO, HELP), with Redis 7.0's argument rules and error texts.
 *
 * Handlers see other connections only through `ServerView.sessions()` and act on them through the
 * server (killSession, pause), never through sockets. Client-side caching (TRACKING, CACHING,
 * GETREDIR, TRACKINGINFO) keeps its state in the tracking registry (ServerView.tracking,
 * src/server/tracking.ts); the handlers here only validate, in Redis 7.0's order, and report.
 */

import { command } from './table';
import type { Ctx, Session } from './context';
import { ERR, LLONG_MAX, isOpt, parseLongLong, replyHelp } from './util';

/** Redis accepts names made of printable ASCII without spaces ('!'..'~'); '' clears the name. */
export function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

export const BAD_CLIENT_NAME = 'ERR Client names cannot contain spaces, newlines or special characters.';

/** Client type names as CLIENT LIST TYPE / CLIENT KILL TYPE accept them (slave = replica). */
function parseClientType(s: string): string | null {
  const l = s.toLowerCase();
  if (l === 'normal' || l === 'master' || l === 'replica' || l === 'pubsub') return l;
  if (l === 'slave') return 'replica';
  return null;
}

/** The type a session reports for filtering: a MONITOR counts as a normal client, as in Redis. */
function clientType(s: Session): string {
  return s.kind === 'monitor' ? 'normal' : s.kind;
}

/** Redis's addReplySubcommandSyntaxError. */
export function subcommandSyntaxError(ctx: Ctx): void {
  ctx.reply.error(`ERR unknown subcommand or wrong number of arguments for '${ctx.argv[1].slice(0, 128)}'. Try ${ctx.argv[0].toUpperCase()} HELP.`);
}

function clientId(ctx: Ctx): void {
  ctx.reply.int(ctx.client.id);
}

function clientSetname(ctx: Ctx): void {
  const name = ctx.argv[2];
  if (!validClientName(name)) return ctx.reply.error(BAD_CLIENT_NAME);
  ctx.client.name = name;
  ctx.reply.ok();
}

function clientGetname(ctx: Ctx): void {
  ctx.reply.bulkOrNull(ctx.client.name === '' ? null : ctx.client.name);
}

function clientInfo(ctx: Ctx): void {
  ctx.reply.verbatim(ctx.client.infoLine() + '\n');
}

function clientList(ctx: Ctx): void {
  const argv = ctx.argv;
  let out = '';
  if (argv.length === 4 && isOpt(argv[2], 'TYPE')) {
    const type = parseClientType(argv[3]);
    if (type === null) return ctx.reply.error(`ERR Unknown client type '${argv[3]}'`);
    for (const s of ctx.server.sessions()) if (clientType(s) === type) out += s.infoLine() + '\n';
  } else if (argv.length > 3 && isOpt(argv[2], 'ID')) {
    // ids are listed in argument order, repeats included, as Redis does
    const byId = new Map<number, Session>();
    for (const s of ctx.server.sessions()) byId.set(s.id, s);
    for (let j = 3; j < argv.length; j++) {
      const id = parseLongLong(argv[j]);
      if (id === null) return ctx.reply.error('ERR Invalid client ID');
      const s = byId.get(Number(id));
      if (s !== undefined) out += s.infoLine() + '\n';
    }
  } else if (argv.length !== 2) {
    return ctx.reply.error(ERR.SYNTAX);
  } else {
    for (const s of ctx.server.sessions()) out += s.infoLine() + '\n';
  }
  ctx.reply.verbatim(out);
}

interface KillFilter {
  id?: number;
  type?: string;
  addr?: string;
  laddr?: string;
  user?: string;
  skipMe: boolean;
}

/**
 * CLIENT KILL addr (old form: +OK or "No such client", may kill the caller) or
 * CLIENT KILL <filter> <value> ... (new form: the number killed; SKIPME yes by default).
 * The caller, when it matches, is closed after its reply is written.
 */
function clientKill(ctx: Ctx): void {
  const argv = ctx.argv;
  const f: KillFilter = { skipMe: true };
  const oldForm = argv.length === 3;
  if (oldForm) {
    f.addr = argv[2];
    f.skipMe = false;
  } else {
    for (let i = 2; i < argv.length; i += 2) {
      const opt = argv[i];
      const hasValue = i + 1 < argv.length;
      const v = argv[i + 1];
      if (hasValue && isOpt(opt, 'ID')) {
        const id = parseLongLong(v);
        if (id === null || id <= 0n) return ctx.reply.error('ERR client-id should be greater than 0');
        f.id = Number(id);
      } else if (hasValue && isOpt(opt, 'TYPE')) {
        const t = parseClientType(v);
        if (t === null) return ctx.reply.error(`ERR Unknown client type '${v}'`);
        f.type = t;
      } else if (hasValue && isOpt(opt, 'ADDR')) {
        f.addr = v;
      } else if (hasValue && isOpt(opt, 'LADDR')) {
        f.laddr = v;
      } else if (hasValue && isOpt(opt, 'USER')) {
        if (!ctx.server.hasUser(v)) return ctx.reply.error(`ERR No such user '${v}'`);
        f.user = v;
      } else if (hasValue && isOpt(opt, 'SKIPME')) {
        if (isOpt(v, 'YES')) f.skipMe = true;
        else if (isOpt(v, 'NO')) f.skipMe = false;
        else return ctx.reply.error(ERR.SYNTAX);
      } else {
        return ctx.reply.error(ERR.SYNTAX);
      }
    }
  }
  const victims: Session[] = [];
  for (const s of ctx.server.sessions()) {
    if (f.id !== undefined && s.id !== f.id) continue;
    if (f.type !== undefined && clientType(s) !== f.type) continue;
    if (f.addr !== undefined && s.addr !== f.addr) continue;
    if (f.laddr !== undefined && s.laddr !== f.laddr) continue;
    if (f.user !== undefined && s.user !== f.user) continue;
    if (s === ctx.client && f.skipMe) continue;
    victims.push(s);
  }
  for (const s of victims) {
    if (s === ctx.client) ctx.client.closeAfterReply();
    else ctx.server.killSession(s.id);
  }
  if (oldForm) {
    if (victims.length === 0) return ctx.reply.error('ERR No such client');
    return ctx.reply.ok();
  }
  ctx.reply.int(victims.length);
}

/** OFF and SKIP produce no reply of their own; the pipeline suppresses what follows. */
function clientReply(ctx: Ctx): void {
  const mode = ctx.argv[2];
  if (isOpt(mode, 'ON')) {
    ctx.client.replyMode = 'on';
    ctx.client.replySkipping = false;
    ctx.reply.ok();
  } else if (isOpt(mode, 'OFF')) {
    ctx.client.replyMode = 'off';
  } else if (isOpt(mode, 'SKIP')) {
    if (ctx.client.replyMode !== 'off') ctx.client.replyMode = 'skip';
  } else {
    ctx.reply.error(ERR.SYNTAX);
  }
}

function clientNoEvict(ctx: Ctx): void {
  const v = ctx.argv[2];
  if (isOpt(v, 'ON')) ctx.client.noEvict = true;
  else if (isOpt(v, 'OFF')) ctx.client.noEvict = false;
  else return ctx.reply.error(ERR.SYNTAX);
  ctx.reply.ok();
}

/**
 * CLIENT UNBLOCK id [TIMEOUT|ERROR]: finishes a client blocked on keys (BLPOP & co.) or in WAIT as if its
 * timeout had passed, or with an UNBLOCKED error. The reason is checked before the id, as in Redis.
 */
function clientUnblock(ctx: Ctx): void {
  const argv = ctx.argv;
  if (argv.length > 4) return subcommandSyntaxError(ctx);
  let withError = false;
  if (argv.length === 4) {
    if (isOpt(argv[3], 'ERROR')) withError = true;
    else if (!isOpt(argv[3], 'TIMEOUT')) return ctx.reply.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  const id = parseLongLong(argv[2]);
  if (id === null) return ctx.reply.error(ERR.NOT_INTEGER);
  ctx.reply.int(id > 0n && id <= BigInt(Number.MAX_SAFE_INTEGER) && ctx.server.unblockClient(Number(id), withError) ? 1 : 0);
}

/** CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the timeout, as Redis does. */
function clientPause(ctx: Ctx): void {
  const argv = ctx.argv;
  if (argv.length > 4) return subcommandSyntaxError(ctx);
  let mode: 'all' | 'write' = 'all';
  if (argv.length === 4) {
    if (isOpt(argv[3], 'WRITE')) mode = 'write';
    else if (isOpt(argv[3], 'ALL')) mode = 'all';
    else return ctx.reply.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
  }
  const ms = parseLongLong(argv[2]);
  if (ms === null) return ctx.reply.error('ERR timeout is not an integer or out of range');
  if (ms < 0n) return ctx.reply.error('ERR timeout is negative');
  // Redis 7.0 adds the timeout to the clock without an overflow check: a sum past LLONG_MAX
  // wraps negative, i.e. a pause that is already over
  let end = 0;
  if (ms > 0n && ms <= LLONG_MAX - BigInt(ctx.now)) end = ctx.now + Number(ms);
  ctx.server.pause(end, mode);
  ctx.reply.ok();
}

function clientUnpause(ctx: Ctx): void {
  ctx.server.unpause();
  ctx.reply.ok();
}

/**
 * CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP]. Options
 * are parsed (and a REDIRECT target checked) before ON/OFF is looked at, so OFF accepts any valid
 * option, as in Redis.
 */
function clientTracking(ctx: Ctx): void {
  const argv = ctx.argv;
  const tracking = ctx.server.tracking;
  let redirect = 0;
  const opts = { bcast: false, optin: false, optout: false, noloop: false };
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = j < argv.length - 1;
    const opt = argv[j];
    if (more && isOpt(opt, 'REDIRECT')) {
      j++;
      if (redirect !== 0) return ctx.reply.error('ERR A client can only redirect to a single other client');
      const id = parseLongLong(argv[j]);
      if (id === null) return ctx.reply.error(ERR.NOT_INTEGER);
      // the target must exist now, though it may go away later (then: tracking-redir-broken)
      if (id <= 0n || id > BigInt(Number.MAX_SAFE_INTEGER) || !tracking.hasClient(Number(id))) {
        return ctx.reply.error('ERR The client ID you want redirect to does not exist');
      }
      redirect = Number(id);
    } else if (isOpt(opt, 'BCAST')) opts.bcast = true;
    else if (isOpt(opt, 'OPTIN')) opts.optin = true;
    else if (isOpt(opt, 'OPTOUT')) opts.optout = true;
    else if (isOpt(opt, 'NOLOOP')) opts.noloop = true;
    else if (more && isOpt(opt, 'PREFIX')) prefixes.push(argv[++j]);
    else return ctx.reply.error(ERR.SYNTAX);
  }
  if (isOpt(argv[2], 'OFF')) {
    tracking.disable(ctx.client);
    return ctx.reply.ok();
  }
  if (!isOpt(argv[2], 'ON')) return ctx.reply.error(ERR.SYNTAX);
  const st = tracking.stateOf(ctx.client);
  if (prefixes.length !== 0 && !opts.bcast) return ctx.reply.error('ERR PREFIX option requires BCAST mode to be enabled');
  if (st !== undefined && st.bcast !== opts.bcast) {
    return ctx.reply.error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
  }
  if (opts.bcast && (opts.optin || opts.optout)) return ctx.reply.error('ERR OPTIN and OPTOUT are not compatible with BCAST');
  if (opts.optin && opts.optout) return ctx.reply.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
  if (st !== undefined && ((opts.optin && st.optout) || (opts.optout && st.optin))) {
    return ctx.reply.error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
  }
  if (opts.bcast) {
    const collision = tracking.prefixCollision(ctx.client, prefixes);
    // Redis 7.0.15 reports an overlap among the given prefixes found past the first one and then
    // carries on, enabling tracking and answering +OK as well: two replies to one command, which
    // desynchronises a pipelining client. Redoubt answers the error only and changes nothing.
    if (collision !== null) return ctx.reply.error(collision.error);
  }
  tracking.enable(ctx.client, redirect, opts, prefixes);
  ctx.reply.ok();
}

/** CLIENT CACHING YES|NO: overrides OPTIN/OPTOUT for the next command only. */
function clientCaching(ctx: Ctx): void {
  const st = ctx.server.tracking.stateOf(ctx.client);
  if (st === undefined) return ctx.reply.error('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
  const v = ctx.argv[2];
  if (isOpt(v, 'YES')) {
    if (!st.optin) return ctx.reply.error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (isOpt(v, 'NO')) {
    if (!st.optout) return ctx.reply.error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else {
    return ctx.reply.error(ERR.SYNTAX);
  }
  st.caching = true;
  ctx.reply.ok();
}

function clientGetredir(ctx: Ctx): void {
  ctx.reply.int(ctx.server.tracking.stateOf(ctx.client)?.redirect ?? -1);
}

/** A map: flags (a set), redirect (-1 when not tracking, 0 for none), prefixes (BCAST). */
function clientTrackinginfo(ctx: Ctx): void {
  const st = ctx.server.tracking.stateOf(ctx.client);
  const r = ctx.reply;
  r.map(3);
  r.bulk('flags');
  const flags = [st === undefined ? 'off' : 'on'];
  if (st !== undefined) {
    if (st.bcast) flags.push('bcast');
    if (st.optin) flags.push(...(st.caching ? ['optin', 'caching-yes'] : ['optin']));
    if (st.optout) flags.push(...(st.caching ? ['optout', 'caching-no'] : ['optout']));
    if (st.noloop) flags.push('noloop');
    if (st.brokenRedirect) flags.push('broken_redirect');
  }
  r.set(flags.length);
  for (const f of flags) r.bulk(f);
  r.bulk('redirect');
  r.int(st === undefined ? -1 : st.redirect);
  r.bulk('prefixes');
  const prefixes = st?.prefixes ?? [];
  r.array(prefixes.length);
  for (const p of prefixes) r.bulk(p);
}

function clientHelp(ctx: Ctx): void {
  replyHelp(ctx, HELP);
}

/** CLIENT HELP: only the subcommands declared below, in our own words. */
const HELP = [
  'CACHING (YES|NO)',
  '    In OPTIN tracking mode, remember the keys the next command reads (YES); in',
  '    OPTOUT mode, do not remember them (NO).',
  'GETNAME',
  '    Reply with the name of this connection, or null when it has none.',
  'GETREDIR',
  '    Reply with the ID of the client that receives this connection\'s invalidation',
  '    messages: 0 when they come here, -1 when tracking is off.',
  'ID',
  '    Reply with the numeric ID of this connection.',
  'INFO',
  '    Describe this connection in the line format of CLIENT LIST.',
  'KILL <ip:port>',
  '    Close the connection coming from <ip:port> (the original form).',
  'KILL <filter> <value> [<filter> <value> ...]',
  '    Close every connection that matches all the filters, and reply with how many.',
  '    Filters:',
  '    * ID <client-id>',
  '      the connection with this ID',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      connections from this address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      connections to this local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      connections of this kind',
  '    * USER <username>',
  '      connections authenticated as <username>',
  '    * SKIPME (YES|NO)',
  '      whether to spare the calling connection (YES when omitted)',
  'LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <client-id> [<client-id> ...]]',
  '    Describe the connections, one line each: all of them, those of one kind, or',
  '    those with the given IDs.',
  'NO-EVICT (ON|OFF)',
  '    Exempt this connection from client eviction (ON), or make it evictable',
  '    again (OFF).',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Hold back client commands for <timeout> milliseconds: every command (ALL,',
  '    the default) or only those that may write (WRITE).',
  'REPLY (ON|OFF|SKIP)',
  '    Send replies to this connection (ON), stop sending them (OFF), or drop the',
  '    next one (SKIP).',
  'SETNAME <name>',
  '    Name this connection; an empty name removes the name.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Turn server-assisted client-side caching on or off: invalidation messages for',
  '    the keys this connection read (or, with BCAST, for every key under its',
  '    prefixes) are pushed here or to the REDIRECT client.',
  'TRACKINGINFO',
  '    Describe this connection\'s tracking mode, redirection and prefixes.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Finish a client blocked in BLPOP or a similar command, as if its timeout had',
  '    passed (TIMEOUT, the default) or with an UNBLOCKED error (ERROR).',
  'UNPAUSE',
  '    End the current pause; held-back commands run.',
];

export const CLIENT = command({
  name: 'client', arity: -2,
  docs: {summary:"Groups the subcommands that inspect and manage client connections.",since:"2.4.0",group:"connection",complexity:"Varies with the subcommand."},
  subcommands: [
    command({
      name: 'info', arity: 2, flags: ["noscript","loading","stale"], categories: ["connection"], tips: ["nondeterministic_output"],
      docs: {summary:"Describes the calling connection in the CLIENT LIST line format.",since:"6.2.0",group:"connection",complexity:"O(1)"},
      handler: clientInfo,
    }),
    command({
      name: 'id', arity: 2, flags: ["noscript","loading","stale"], categories: ["connection"],
      docs: {summary:"Returns the numeric ID the server gave this connection.",since:"5.0.0",group:"connection",complexity:"O(1)"},
      handler: clientId,
    }),
    command({
      name: 'kill', arity: -3, flags: ["admin","noscript","loading","stale"], categories: ["connection"],
      docs: {summary:"Closes the client connections that match an address or a set of filters.",since:"2.4.0",group:"connection",complexity:"O(N), N being how many clients are connected.",history:[["2.8.12","Filters can be given as option and value pairs."],["2.8.12","Accepts the `ID` filter."],["3.2.0","`TYPE` accepts `master`."],["5.0.0","`TYPE replica` is the new name of `TYPE slave`, which keeps working."],["6.2.0","Accepts the `LADDR` filter."]],arguments:[{name:"filter",type:"oneof",arguments:[{name:"ip:port",type:"string",deprecated_since:"2.8.12"},{name:"new-format",type:"oneof",flags:["multiple"],arguments:[{name:"client-id",type:"integer",token:"ID",since:"2.8.12",flags:["optional"]},{name:"normal_master_slave_pubsub",type:"oneof",token:"TYPE",since:"2.8.12",flags:["optional"],arguments:[{name:"normal",type:"pure-token",token:"NORMAL"},{name:"master",type:"pure-token",token:"MASTER",since:"3.2.0"},{name:"slave",type:"pure-token",token:"SLAVE"},{name:"replica",type:"pure-token",token:"REPLICA",since:"5.0.0"},{name:"pubsub",type:"pure-token",token:"PUBSUB"}]},{name:"username",type:"string",token:"USER",flags:["optional"]},{name:"ip:port",type:"string",token:"ADDR",flags:["optional"]},{name:"ip:port",type:"string",token:"LADDR",since:"6.2.0",flags:["optional"]},{name:"yes/no",type:"string",token:"SKIPME",flags:["optional"]}]}]}]},
      handler: clientKill,
    }),
    command({
      name: 'unpause', arity: 2, flags: ["admin","noscript","loading","stale"], categories: ["connection"],
      docs: {summary:"Ends a client pause, so held-back commands run again.",since:"6.2.0",group:"connection",complexity:"O(N), N being how many clients are paused."},
      handler: clientUnpause,
    }),
    command({
      name: 'reply', arity: 3, flags: ["noscript","loading","stale"], categories: ["connection"],
      docs: {summary:"Turns replies to this connection on or off, or drops the next one.",since:"3.2.0",group:"connection",complexity:"O(1)",arguments:[{name:"on_off_skip",type:"oneof",arguments:[{name:"on",type:"pure-token",token:"ON"},{name:"off",type:"pure-token",token:"OFF"},{name:"skip",type:"pure-token",token:"SKIP"}]}]},
      handler: clientReply,
    }),
    command({
      name: 'pause', arity: -3, flags: ["admin","noscript","loading","stale"], categories: ["connection"],
      docs: {summary:"Holds back client commands, all of them or only writes, for some milliseconds.",since:"2.9.50",group:"connection",complexity:"O(1)",history:[["6.2.0","Takes an optional `mode`; `WRITE` holds back only writes."]],arguments:[{name:"timeout",type:"integer"},{name:"mode",type:"oneof",since:"6.2.0",flags:["optional"],arguments:[{name:"write",type:"pure-token",token:"WRITE"},{name:"all",type:"pure-token",token:"ALL"}]}]},
      handler: clientPause,
    }),
    command({
      name: 'unblock', arity: -3, flags: ["admin","noscript","loading","stale"], categories: ["connection"],
      docs: {summary:"Finishes a client blocked in a blocking command, from another connection.",since:"5.0.0",group:"connection",complexity:"O(log N) where N is the number of client connections",arguments:[{name:"client-id",type:"integer"},{name:"timeout_error",type:"oneof",flags:["optional"],arguments:[{name:"timeout",type:"pure-token",token:"TIMEOUT"},{name:"error",type:"pure-token",token:"ERROR"}]}]},
      handler: clientUnblock,
    }),
    command({
      name: 'list', arity: -2, flags: ["admin","noscript","loading","stale"], categories: ["connection"], tips: ["nondeterministic_output"],
      docs: {summary:"Describes the connected clients one line each, optionally filtered.",since:"2.4.0",group:"connection",complexity:"O(N), N being how many clients are connected.",history:[["2.8.12","Lines carry an `id` field."],["5.0.0","Accepts a `TYPE` filter."],["6.0.0","Lines carry a `user` field."],["6.2.0","Lines carry `argv-mem`, `tot-mem`, `laddr` and `redir`; accepts an `ID` filter."],["7.0.0","Lines carry `resp`, `multi-mem`, `rbs` and `rbp`."],["7.0.3","Lines carry `ssub`."]],arguments:[{name:"normal_master_replica_pubsub",type:"oneof",token:"TYPE",since:"5.0.0",flags:["optional"],arguments:[{name:"normal",type:"pure-token",token:"NORMAL"},{name:"master",type:"pure-token",token:"MASTER"},{name:"replica",type:"pure-token",token:"REPLICA"},{name:"pubsub",type:"pure-token",token:"PUBSUB"}]},{name:"id",type:"block",token:"ID",since:"6.2.0",flags:["optional"],arguments:[{name:"client-id",type:"integer",flags:["multiple"]}]}]},
      handler: clientList,
    }),
    command({
      name: 'no-evict', arity: 3, flags: ["admin","noscript","loading","stale"], categories: ["connection"],
      docs: {summary:"Exempts this connection from client eviction, or makes it evictable again.",since:"7.0.0",group:"connection",complexity:"O(1)",arguments:[{name:"enabled",type:"oneof",arguments:[{name:"on",type:"pure-token",token:"ON"},{name:"off",type:"pure-token",token:"OFF"}]}]},
      handler: clientNoEvict,
    }),
    command({
      name: 'setname', arity: 3, flags: ["noscript","loading","stale"], categories: ["connection"],
      docs: {summary:"Gives this connection a name, or clears it.",since:"2.6.9",group:"connection",complexity:"O(1)",arguments:[{name:"connection-name",type:"string"}]},
      handler: clientSetname,
    }),
    command({
      name: 'getname', arity: 2, flags: ["noscript","loading","stale"], categories: ["connection"],
      docs: {summary:"Returns the name of this connection, if it has one.",since:"2.6.9",group:"connection",complexity:"O(1)"},
      handler: clientGetname,
    }),
    command({
      name: 'tracking', arity: -3, flags: ["noscript","loading","stale"], categories: ["connection"],
      docs: {summary:"Turns server-assisted client-side caching on or off for this connection.",since:"6.0.0",group:"connection",complexity:"O(1); some options cost more.",arguments:[{name:"status",type:"oneof",arguments:[{name:"on",type:"pure-token",token:"ON"},{name:"off",type:"pure-token",token:"OFF"}]},{name:"client-id",type:"integer",token:"REDIRECT",flags:["optional"]},{name:"prefix",type:"string",token:"PREFIX",flags:["optional","multiple","multiple_token"]},{name:"bcast",type:"pure-token",token:"BCAST",flags:["optional"]},{name:"optin",type:"pure-token",token:"OPTIN",flags:["optional"]},{name:"optout",type:"pure-token",token:"OPTOUT",flags:["optional"]},{name:"noloop",type:"pure-token",token:"NOLOOP",flags:["optional"]}]},
      handler: clientTracking,
    }),
    command({
      name: 'caching', arity: 3, flags: ["noscript","loading","stale"], categories: ["connection"],
      docs: {summary:"Says whether the keys read by the next command should be tracked.",since:"6.0.0",group:"connection",complexity:"O(1)",arguments:[{name:"mode",type:"oneof",arguments:[{name:"yes",type:"pure-token",token:"YES"},{name:"no",type:"pure-token",token:"NO"}]}]},
      handler: clientCaching,
    }),
    command({
      name: 'getredir', arity: 2, flags: ["noscript","loading","stale"], categories: ["connection"],
      docs: {summary:"Returns the ID of the client that receives this connection's invalidations.",since:"6.0.0",group:"connection",complexity:"O(1)"},
      handler: clientGetredir,
    }),
    command({
      name: 'trackinginfo', arity: 2, flags: ["noscript","loading","stale"], categories: ["connection"],
      docs: {summary:"Describes this connection's client-side caching state.",since:"6.2.0",group:"connection",complexity:"O(1)"},
      handler: clientTrackinginfo,
    }),
    command({
      name: 'help', arity: 2, flags: ["loading","stale"], categories: ["connection"],
      docs: {summary:"Lists the CLIENT subcommands.",since:"5.0.0",group:"connection",complexity:"O(1)"},
      handler: clientHelp,
    }),
  ],
});
