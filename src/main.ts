/*
 * Entry point: `redoubt [redis.conf] [--directive value ...]`, with redis-server's conventions.
 */

import { ConfigRegistry, ConfigError } from './config/registry';
import { DIRECTIVES } from './config/directives';
import { Server, REDOUBT_VERSION, REDIS_COMPAT_VERSION } from './server/server';

export function usage(): string {
  return [
    'Usage: redoubt [/path/to/redis.conf] [options] [-]',
    '       redoubt - (read config from stdin)',
    '       redoubt -v or --version',
    '       redoubt -h or --help',
    '',
    'Examples:',
    '       redoubt (run the server with safe default configuration)',
    '       redoubt /etc/redis/6379.conf',
    '       redoubt --port 7777',
    '       redoubt /etc/myredis.conf --loglevel verbose',
    '',
  ].join('\n');
}

/** Splits argv (after the program name) into a config file and directive/values pairs. */
export function parseCommandLine(args: string[]): { file: string | null; pairs: [string, string[]][] } {
  let file: string | null = null;
  let i = 0;
  if (args.length > 0 && !args[0].startsWith('--')) {
    file = args[0];
    i = 1;
  }
  const pairs: [string, string[]][] = [];
  for (; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      pairs.push([a.slice(2), []]);
    } else if (pairs.length > 0) {
      pairs[pairs.length - 1][1].push(a);
    } else {
      throw new ConfigError(`unexpected argument '${a}'`);
    }
  }
  return { file, pairs };
}

export async function main(args: string[]): Promise<void> {
  if (args[0] === '-v' || args[0] === '--version') {
    process.stdout.write(`Redoubt server v=${REDOUBT_VERSION} redis_version=${REDIS_COMPAT_VERSION} node=${process.versions.node}\n`);
    return;
  }
  if (args[0] === '-h' || args[0] === '--help') {
    process.stdout.write(usage());
    return;
  }
  const config = new ConfigRegistry(DIRECTIVES);
  try {
    const { pairs } = parseCommandLine(args);
    for (const [name, words] of pairs) {
      try {
        config.setAtStartup(name, words.length === 0 ? [''] : [words.join(' ')]);
      } catch (e) {
        throw new ConfigError(`--${name}: ${(e as Error).message}`);
      }
    }
  } catch (e) {
    process.stderr.write(`\n*** FATAL CONFIG ERROR (Redoubt ${REDOUBT_VERSION}) ***\n${(e as Error).message}\n`);
    process.exit(1);
  }
  const server = new Server(config);
  server.logger.open(config.get('logfile'));
  try {
    await server.start();
  } catch (e) {
    server.log('warning', (e as Error).message);
    process.exit(1);
  }
  server.log('notice', 'Ready to accept connections tcp');
  const onSignal = (sig: string) => {
    server.log('warning', `Received ${sig} scheduling shutdown...`);
    server.finishShutdown(0);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
