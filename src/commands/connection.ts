/*
 * Connection commands: PING ECHO QUIT RESET AUTH HELLO, and CLIENT (declared in client.ts).
 *
 * They change only the calling session's state (protocol, name, reply mode, authentication) and
 * answer with Redis 7.0's exact replies. AUTH and HELLO AUTH ask the server to authenticate; the
 * answer may come later (a slow password hash checked off the event loop), so both finish in a
 * continuation that works either way. Credentials are redacted from ctx.argv before anything else
 * (MONITOR, SLOWLOG). HELLO reports `server: redis` and `version: 7.0.15` so
 * clients that switch behaviour on the server version treat Redoubt as the Redis it mirrors;
 * INFO's `redoubt_version` tells the truth about the build.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { CLIENT, BAD_CLIENT_NAME, validClientName } from './client';
import { ERR, isOpt, parseLongLong } from './util';

export const REDIS_COMPAT_VERSION = '7.0.15';

function ping(ctx: Ctx): void {
  if (ctx.argv.length > 2) return ctx.reply.error(`ERR wrong number of arguments for 'ping' command`);
  // a subscribed RESP2 client reads arrays only: the pong comes as ["pong", message]
  if (ctx.client.kind === 'pubsub' && ctx.client.resp === 2) {
    ctx.reply.array(2);
    ctx.reply.bulk('pong');
    ctx.reply.bulk(ctx.argv.length === 2 ? ctx.argv[1] : '');
    return;
  }
  if (ctx.argv.length === 2) ctx.reply.bulk(ctx.argv[1]);
  else ctx.reply.simple('PONG');
}

function echo(ctx: Ctx): void {
  ctx.reply.bulk(ctx.argv[1]);
}

function quit(ctx: Ctx): void {
  ctx.reply.ok();
  ctx.client.closeAfterReply();
}

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

/**
 * Runs `then` with the answer now, or once it is known (the session waits meanwhile). A deferred
 * error is counted in the command's failed calls here: the pipeline's accounting has already run.
 */
function whenAuthenticated(ctx: Ctx, r: boolean | Promise<boolean>, then: (ok: boolean) => void): void {
  if (typeof r === 'boolean') return then(r);
  const cmd = ctx.cmd;
  ctx.client.block(r, (ok) => {
    if (ok !== true) cmd.failedCalls++;
    then(ok === true);
  });
}

/** AUTH [username] password: the one-argument form means the default user. */
function auth(ctx: Ctx): void {
  const argv = ctx.argv;
  if (argv.length > 3) return ctx.reply.error(ERR.SYNTAX);
  ctx.argv = argv.length === 2 ? [argv[0], '(redacted)'] : [argv[0], '(redacted)', '(redacted)'];
  let user = 'default';
  const pass = argv[argv.length - 1];
  if (argv.length === 2) {
    // Redis keeps its pre-ACL error for a password given to a server that has none
    const d = ctx.server.acl.getUser('default');
    if (d !== undefined && d.nopass) {
      return ctx.reply.error('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
    }
  } else {
    user = argv[1];
  }
  const reply = ctx.reply;
  whenAuthenticated(ctx, ctx.server.authenticate(ctx.client, user, pass, argv[0]), (ok) => {
    if (ok) reply.ok();
    else reply.error(WRONGPASS);
  });
}

function reset(ctx: Ctx): void {
  ctx.client.reset();
  ctx.reply.simple('RESET');
}

/**
 * HELLO [protover [AUTH user pass] [SETNAME name]]. Order of checks as in Redis: version, then
 * option syntax, then credentials, then "must be authenticated", then the name; the protocol
 * switches last, so the reply already uses the new protocol.
 */
function hello(ctx: Ctx): void {
  const argv = ctx.argv;
  let ver = 0;
  if (argv.length >= 2) {
    const v = parseLongLong(argv[1]);
    if (v === null) return ctx.reply.error('ERR Protocol version is not an integer or out of range');
    if (v < 2n || v > 3n) return ctx.reply.error('NOPROTO unsupported protocol version');
    ver = Number(v);
  }
  let user: string | undefined;
  let pass: string | undefined;
  let name: string | undefined;
  for (let j = 2; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j];
    if (isOpt(opt, 'AUTH') && more >= 2) {
      user = argv[j + 1];
      pass = argv[j + 2];
      // keep the credentials out of MONITOR and SLOWLOG
      const redacted = argv.slice();
      redacted[j + 1] = redacted[j + 2] = '(redacted)';
      ctx.argv = redacted;
      j += 2;
    } else if (isOpt(opt, 'SETNAME') && more >= 1) {
      name = argv[j + 1];
      j++;
    } else {
      return ctx.reply.error(`ERR Syntax error in HELLO option '${opt}'`);
    }
  }
  const client = ctx.client;
  const server = ctx.server;
  const r = ctx.reply;
  const finish = (authOk: boolean) => {
    if (!authOk) return r.error(WRONGPASS);
    if (!client.authenticated && server.authRequired()) {
      return r.error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
    }
    if (name !== undefined) {
      if (!validClientName(name)) return r.error(BAD_CLIENT_NAME);
      client.name = name;
    }
    if (ver !== 0) client.resp = ver as 2 | 3;
    r.map(7);
    r.bulk('server'); r.bulk('redis');
    r.bulk('version'); r.bulk(REDIS_COMPAT_VERSION);
    r.bulk('proto'); r.int(client.resp);
    r.bulk('id'); r.int(client.id);
    r.bulk('mode'); r.bulk('standalone');
    r.bulk('role'); r.bulk(server.role);
    r.bulk('modules'); r.array(0);
  };
  if (user === undefined || pass === undefined) return finish(true);
  whenAuthenticated(ctx, server.authenticate(client, user, pass, argv[0]), finish);
}

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'ping', arity: -1, flags: ["fast", "sentinel"], categories: ["connection"], tips: ["request_policy:all_shards","response_policy:all_succeeded"],
    docs: {summary:"Checks that the server answers, returning the message when one is given.",since:"1.0.0",group:"connection",complexity:"O(1)",arguments:[{name:"message",type:"string",flags:["optional"]}]},
    handler: ping,
  }),
  command({
    name: 'echo', arity: 2, flags: ["loading","stale","fast"], categories: ["connection"],
    docs: {summary:"Returns its argument unchanged.",since:"1.0.0",group:"connection",complexity:"O(1)",arguments:[{name:"message",type:"string"}]},
    handler: echo,
  }),
  command({
    name: 'quit', arity: -1, flags: ["noscript","loading","stale","fast","no_auth","allow_busy"], categories: ["connection"],
    docs: {summary:"Asks the server to close this connection once it has replied.",since:"1.0.0",group:"connection",complexity:"O(1)"},
    handler: quit,
  }),
  command({
    name: 'reset', arity: 1, flags: ["noscript","loading","stale","fast","no_auth","allow_busy"], categories: ["connection"],
    docs: {summary:"Puts this connection back in the state of a new one.",since:"6.2.0",group:"connection",complexity:"O(1)"},
    handler: reset,
  }),
  command({
    name: 'auth', arity: -2, flags: ["noscript","loading","stale","fast","no_auth","sentinel","allow_busy"], categories: ["connection"],
    docs: {summary:"Authenticates the connection as a user, or as the default user when no name is given.",since:"1.0.0",group:"connection",complexity:"O(N) where N is the number of passwords defined for the user",history:[["6.0.0","Accepts a username: ACL users."]],arguments:[{name:"username",type:"string",since:"6.0.0",flags:["optional"]},{name:"password",type:"string"}]},
    handler: auth,
  }),
  command({
    name: 'hello', arity: -1, flags: ["noscript","loading","stale","fast","no_auth","sentinel","allow_busy"], categories: ["connection"],
    docs: {summary:"Picks the protocol version, optionally authenticates and names the connection, and describes the server.",since:"6.0.0",group:"connection",complexity:"O(1)",history:[["6.2.0","`protover` became optional; with no arguments the reply describes the connection as it is."]],arguments:[{name:"arguments",type:"block",flags:["optional"],arguments:[{name:"protover",type:"integer"},{name:"username_password",type:"block",token:"AUTH",flags:["optional"],arguments:[{name:"username",type:"string"},{name:"password",type:"string"}]},{name:"clientname",type:"string",token:"SETNAME",flags:["optional"]}]}]},
    handler: hello,
  }),
  CLIENT,
];
