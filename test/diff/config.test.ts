/*
 * CONFIG GET / SET / RESETSTAT / REWRITE / HELP against redis-server 7.0.15, byte for byte, for the
 * directives Redoubt implements or pins to a truthful value. Both servers run with the same bind
 * and without a config file. Scripts that change a value put it back. CONFIG HELP is compared in
 * structure (its descriptions are our own wording).
 */

import { diffSuite, type Script } from './harness';

const get = (...names: string[]) => ['CONFIG', 'GET', ...names];
const uget = (...names: string[]) => ({ cmd: get(...names), unordered: true });

const scripts: Script[] = [
  {
    name: 'GET of single directives',
    steps: [
      get('timeout'), get('hz'), get('maxclients'), get('databases'), get('bind'), get('save'), get('loglevel'),
      get('proto-max-bulk-len'), get('client-query-buffer-limit'), get('slowlog-max-len'), get('slowlog-log-slower-than'),
      get('protected-mode'), get('tcp-keepalive'), get('tcp-backlog'), get('enable-debug-command'),
      get('enable-protected-configs'), get('appendonly'), get('maxmemory'), get('maxmemory-policy'),
      get('lazyfree-lazy-user-del'), get('active-expire-effort'), get('unixsocket'), get('pidfile'), get('logfile'),
      get('replicaof'), get('requirepass'), get('notify-keyspace-events'), get('maxmemory-clients'),
      get('list-max-listpack-size'), get('repl-backlog-size'), get('latency-tracking-info-percentiles'),
    ],
  },
  {
    name: 'GET names are case-insensitive, aliases answer under the name asked, unknown names are absent',
    steps: [get('TIMEOUT'), get('SlaveOf'), get('hash-max-ziplist-entries'), get('nosuch'), get('nosuch', 'timeout')],
  },
  {
    name: 'GET with patterns and several arguments',
    steps: [
      uget('*max-*-entries*'), uget('slowlog*'), uget('lazyfree*'), uget('maxmemory*'), uget('hash-max*'),
      uget('timeout', 'hz', 'slowlog*'), uget('timeout', 'timeout'), uget('*-keepalive', 'tcp-*'), uget('lo?level'),
      uget('[ab]ppend*'),
    ],
  },
  {
    name: 'SET then GET, several pairs at once',
    steps: [
      ['CONFIG', 'SET', 'timeout', '5'], get('timeout'),
      ['CONFIG', 'SET', 'timeout', '0', 'slowlog-max-len', '64', 'loglevel', 'WARNING'], uget('timeout', 'slowlog-max-len', 'loglevel'),
      ['CONFIG', 'SET', 'proto-max-bulk-len', '2mb'], get('proto-max-bulk-len'),
      ['CONFIG', 'SET', 'client-query-buffer-limit', '1GB'], get('client-query-buffer-limit'),
      ['CONFIG', 'SET', 'hz', '0'], get('hz'), ['CONFIG', 'SET', 'hz', '100000'], get('hz'),
      ['CONFIG', 'SET', 'protected-mode', 'YES'], get('protected-mode'),
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '-1'], get('slowlog-log-slower-than'),
      ['CONFIG', 'SET', 'lazyfree-lazy-user-del', 'yes'], get('lazyfree-lazy-user-del'),
      ['CONFIG', 'SET', 'save', ''], get('save'), ['CONFIG', 'SET', 'appendonly', 'no'],
      ['CONFIG', 'SET', 'hz', '10', 'slowlog-max-len', '128', 'loglevel', 'notice', 'proto-max-bulk-len', '512mb',
        'slowlog-log-slower-than', '10000', 'lazyfree-lazy-user-del', 'no'],
      uget('hz', 'slowlog-max-len', 'loglevel', 'proto-max-bulk-len', 'slowlog-log-slower-than', 'lazyfree-lazy-user-del'),
    ],
  },
  {
    name: 'SET errors',
    steps: [
      ['CONFIG', 'SET', 'nosuch', '1'],
      ['CONFIG', 'SET', 'timeout', '1', 'nosuch', '2'],
      ['CONFIG', 'SET', 'timeout', '1', 'timeout', '2'],
      ['CONFIG', 'SET', 'timeout', '1', 'TIMEOUT', '2'],
      ['CONFIG', 'SET', 'databases', '4'],
      ['CONFIG', 'SET', 'daemonize', 'no'],
      ['CONFIG', 'SET', 'dir', '/tmp'],
      ['CONFIG', 'SET', 'dbfilename', 'x.rdb'],
      ['CONFIG', 'SET', 'timeout', 'abc'],
      ['CONFIG', 'SET', 'timeout', '-1'],
      ['CONFIG', 'SET', 'timeout', '010'],
      ['CONFIG', 'SET', 'timeout', ''],
      ['CONFIG', 'SET', 'maxclients', '0'],
      ['CONFIG', 'SET', 'maxclients', '4294967296'],
      ['CONFIG', 'SET', 'slowlog-max-len', '-1'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', '1'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', '1.5mb'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', '-1'],
      ['CONFIG', 'SET', 'loglevel', 'loud'],
      ['CONFIG', 'SET', 'protected-mode', 'maybe'],
      ['CONFIG', 'SET', 'maxmemory-clients', '101%'],
      ['CONFIG', 'SET', 'maxmemory-clients', 'x'],
      ['CONFIG', 'SET', 'save', '100'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'Z'],
      ['CONFIG', 'SET', 'list-max-listpack-size', '99999999999'],
      ['CONFIG', 'SET', 'timeout', '7', 'maxclients', '0'], get('timeout'),
      ['CONFIG', 'SET', 'timeout', '1', 'hz'],
      ['CONFIG', 'SET', 'timeout'],
      ['CONFIG', 'GET'],
    ],
  },
  {
    name: 'RESETSTAT, REWRITE without a file, HELP, subcommand errors',
    steps: [
      ['CONFIG', 'RESETSTAT'], ['CONFIG', 'RESETSTAT', 'x'],
      ['CONFIG', 'REWRITE'], ['CONFIG', 'REWRITE', 'x'],
      { cmd: ['CONFIG', 'HELP'], help: true }, ['config', 'help', 'x'], ['CONFIG', 'NOSUCH'], ['CONFIG'],
    ],
  },
  {
    name: 'RESETSTAT resets command statistics',
    steps: [
      ['SET', 'k', 'v'], ['GET', 'k'], ['CONFIG', 'RESETSTAT'],
      { cmd: ['INFO', 'commandstats'], live: true },
    ],
  },
  {
    name: 'metadata of the CONFIG subcommands',
    steps: [
      ['COMMAND', 'INFO', 'config|get', 'config|set', 'config|resetstat', 'config|rewrite', 'config|help'],
    ],
  },
  {
    name: 'shutdown-on-sigint / -sigterm: several flags, canonical order, SAVE with NOSAVE refused',
    steps: [
      uget('shutdown-on-sig*'),
      ...['force now save', 'NOW', 'default now', 'save save', 'nosave now', 'save nosave', 'bogus', '', 'now  force', 'default'].flatMap((v) => [
        ['CONFIG', 'SET', 'shutdown-on-sigint', v], get('shutdown-on-sigint'),
      ]),
      ['CONFIG', 'SET', 'shutdown-on-sigint', 'now', 'shutdown-on-sigterm', 'save force'], uget('shutdown-on-sig*'),
      ['CONFIG', 'SET', 'shutdown-on-sigint', 'default', 'shutdown-on-sigterm', 'default'], uget('shutdown-on-sig*'),
    ],
  },
  {
    name: 'proc-title-template: variables, {{ escapes, lone }, unknown and empty templates',
    steps: [
      get('proc-title-template'), get('set-proc-title'),
      ...['{listen-addr}', '{title}', 'x {{y}} {port}', '{nosuch}', '{title', 'a}b', '', ' {title} ', '{}', '{port}{tls-port}{config-file}{server-mode}', '{{', '{'].flatMap((v) => [
        ['CONFIG', 'SET', 'proc-title-template', v], get('proc-title-template'),
      ]),
      ['CONFIG', 'SET', 'proc-title-template', '{title} {listen-addr} {server-mode}'], ['CONFIG', 'SET', 'set-proc-title', 'no'],
    ],
  },
];

diffSuite('config', scripts, { redoubtArgs: ['--bind', '127.0.0.1'] });
