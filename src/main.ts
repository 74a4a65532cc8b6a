/*
 * Entry point: `redoubt [/path/to/redis.conf] [--directive value ...] [-]`, with redis-server's
 * conventions: the options are appended to the file as config lines, `-` reads config from stdin,
 * a refused directive stops start-up with the FATAL CONFIG FILE ERROR report (exit code 1).
 *
 * Start-up order follows Redis's so logs read the same: banner and "Configuration loaded" (role
 * 'C'), then the server log proper ('M'): pid file, listeners, "Server initialized", applicable
 * warnings, "Ready to accept connections". SIGTERM/SIGINT shut down cleanly (pid file removed),
 * as SHUTDOWN with the flags of shutdown-on-sigterm / shutdown-on-sigint; a second SIGINT during
 * shutdown exits at once, as Redis does.
 */

import * as fs from 'node:fs';
import { ConfigRegistry } from './config/registry';
import { DIRECTIVES } from './config/directives';
import { ConfigLoader, ConfigFileError, ConfigOpenError, parseCommandLine } from './config/file';
import { buildCommandTable } from './commands/index';
import { Server, REDOUBT_VERSION } from './server/server';
import { REDIS_COMPAT_VERSION } from './commands/connection';
import { startFromConfig } from './replication/role';
import { expandTitle, titleVariables } from './config/proctitle';
import * as path from 'node:path';

export function usage(): string {
  return [
    'Usage: redoubt [/path/to/redis.conf] [options] [-]',
    '       redoubt - (read config from stdin)',
    '       redoubt -v or --version',
    '       redoubt -h or --help',
    '       redoubt check-rdb <file.rdb>',
    '       redoubt check-aof [--fix] <file.aof|manifest|dir>',
    '       redoubt audit <redis://...|rediss://...|--config redis.conf> [--json|--sarif|--html FILE] [--fail-on SEVERITY]',
    '',
    'Examples:',
    '       redoubt (run the server with the safe default configuration)',
    "       echo 'maxclients 100' | redoubt -",
    '       redoubt /etc/redis/6379.conf',
    '       redoubt --port 7777',
    '       redoubt /etc/myredis.conf --loglevel verbose -',
    '       redoubt /etc/myredis.conf --loglevel verbose',
    '',
  ].join('\n');
}

export function versionLine(): string {
  return `Redoubt server v=${REDOUBT_VERSION} redis_version=${REDIS_COMPAT_VERSION} node=${process.versions.node} bits=64\n`;
}

/** Loads the configuration the way redis-server does; exits the process on a refused line. */
export function loadConfiguration(args: string[]): ConfigRegistry {
  const config = new ConfigRegistry(DIRECTIVES);
  const { file, stdin, options } = parseCommandLine(args);
  try {
    const loader = new ConfigLoader(config, { commandNames: buildCommandTable().keys() });
    const stdinText = stdin ? fs.readFileSync(0, 'latin1') : null;
    loader.load(file, stdinText, options === '' ? null : options);
  } catch (e) {
    if (e instanceof ConfigFileError) {
      process.stderr.write(e.report(`Redoubt ${REDOUBT_VERSION}`));
    } else if (e instanceof ConfigOpenError) {
      process.stderr.write(`${e.message}\n`);
    } else {
      throw e;
    }
    process.exit(1);
  }
  config.configFile = file;
  return config;
}

function writePidFile(server: Server, pidfile: string): void {
  try {
    fs.writeFileSync(pidfile, `${process.pid}\n`, { mode: 0o600 });
  } catch (e) {
    server.log('warning', `Failed to write PID file: ${(e as NodeJS.ErrnoException).code === 'EACCES' ? 'Permission denied' : (e as Error).message}`);
  }
}

/** Warnings Redis prints at start-up that apply to a process that never forks. */
function startupWarnings(server: Server): void {
  const backlog = server.config.get('tcp-backlog') as number;
  try {
    const somaxconn = Number(fs.readFileSync('/proc/sys/net/core/somaxconn', 'latin1').trim());
    if (somaxconn > 0 && somaxconn < backlog) {
      server.log('warning', `WARNING: The TCP backlog setting of ${backlog} cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of ${somaxconn}.`);
    }
  } catch { /* not Linux */ }
}

export async function main(args: string[]): Promise<void> {
  if (args[0] === '-v' || args[0] === '--version') {
    process.stdout.write(versionLine());
    return;
  }
  if (args[0] === '-h' || args[0] === '--help') {
    process.stdout.write(usage());
    return;
  }
  // the auditor: `redoubt audit URL|--config FILE [...]` (src/audit/cli.ts)
  if (args[0] === 'audit') {
    process.exitCode = await (await import('./audit/cli')).auditMain(args.slice(1));
    return;
  }
  // the file tools: `redoubt check-rdb FILE`, `redoubt check-aof [--fix] FILE|DIR`
  if (args[0] === 'check-rdb' || args[0] === 'check-aof') {
    const tool = args[0] === 'check-rdb'
      ? (await import('./tools/check-rdb')).checkRdbMain
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      : (require('./tools/check-aof') as { checkAofMain: (a: string[]) => Promise<number> }).checkAofMain;
    process.exitCode = await tool(args.slice(1));
    return;
  }
  const config = loadConfiguration(args);
  const server = new Server(config);
  const logfile = config.get('logfile') as string;
  server.logger.open(logfile);
  if (logfile !== '') try { fs.chmodSync(logfile, 0o600); } catch { /* not ours to change */ }

  server.logger.role = 'C';
  server.log('warning', 'oO0OoO0OoO0Oo Redoubt is starting oO0OoO0OoO0Oo');
  server.log('warning', `Redoubt version=${REDOUBT_VERSION}, redis_version=${REDIS_COMPAT_VERSION}, bits=64, node=${process.versions.node}, pid=${process.pid}, just started`);
  if (config.configFile === null) {
    server.log('warning', 'Warning: no config file specified, using the default config. In order to specify a config file use redoubt /path/to/redis.conf');
  } else {
    server.log('warning', 'Configuration loaded');
  }
  server.log('debug', `Effective configuration: ${config.redactedDump().join('; ')}`);
  server.logger.role = 'M';

  const pidfile = config.get('pidfile') as string;
  if (pidfile !== '') writePidFile(server, pidfile);
  // set-proc-title: what ps shows, as Redis's redisSetProcTitle (title: this program's name);
  // CONFIG SET proc-title-template renames the process at once
  if (config.get('set-proc-title') === true) {
    const vars = titleVariables(config, path.basename(process.argv[1] ?? 'redoubt'), (p) => path.resolve(p));
    config.onChange('proc-title-template', (t: string) => {
      const title = expandTitle(t, vars);
      if (title !== null && title !== '') process.title = title;
    });
  }
  server.log('notice', `Running mode=standalone, port=${config.get('port')}.`);
  startupWarnings(server);
  // Signals are handled from the start: before the server has started there is nothing a client
  // changed, so it exits at once without saving (Redis never saves a half-loaded dataset either);
  // afterwards SIGTERM/SIGINT shut down as SHUTDOWN does.
  let started = false;
  const onSignal = (sig: 'SIGTERM' | 'SIGINT') => {
    if (!started) {
      server.log('warning', `Received ${sig} before the server was ready: exiting without saving.`);
      server.audit?.close();
      if (pidfile !== '') try { fs.unlinkSync(pidfile); } catch { /* never written */ }
      server.logger.close();
      process.exit(0);
    }
    if (server.shutdownUnderWay) {
      if (sig === 'SIGINT') {
        server.log('warning', 'You insist... exiting now.');
        if (pidfile !== '') try { fs.unlinkSync(pidfile); } catch { /* gone */ }
        process.exit(1);
      }
      return;
    }
    server.log('warning', `Received ${sig} scheduling shutdown...`);
    // shutdown-on-sigint / shutdown-on-sigterm: the SHUTDOWN flags this signal stands for; a
    // refused shutdown (a failed save without `force`) is logged and the server keeps running
    const flags = new Set(config.get(sig === 'SIGINT' ? 'shutdown-on-sigint' : 'shutdown-on-sigterm') as string[]);
    server.shutdown({ save: flags.has('save'), nosave: flags.has('nosave'), now: flags.has('now'), force: flags.has('force') });
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  try {
    // the dataset is in memory before the first client can connect
    await server.persistence.loadAtStartup();
    // `replicaof` in the configuration: a replica from the start (src/replication/role.ts)
    startFromConfig(server);
  } catch (e) {
    server.log('warning', (e as Error).message);
    if (pidfile !== '') try { fs.unlinkSync(pidfile); } catch { /* never written */ }
    server.logger.close();
    process.exit(1);
  }
  try {
    await server.start();
  } catch (e) {
    server.log('warning', (e as Error).message);
    if (pidfile !== '') try { fs.unlinkSync(pidfile); } catch { /* never written */ }
    server.logger.close();
    process.exit(1);
  }
  started = true;
  server.log('warning', 'Server initialized');
  // the auditor's configuration checks, run on ourselves (src/audit/self.ts)
  (await import('./audit/self')).startSelfAudit(server);
  server.log('notice', 'Ready to accept connections');

}
