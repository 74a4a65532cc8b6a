/*
 * Every configuration directive, declared once. Defaults are Redoubt's safe defaults (which equal
 * Redis's unless docs/compatibility.md says otherwise). Directives of Redis 7.0's redis.conf that
 * Redoubt does not implement are declared with `unsupported` and a reason, so a config file that
 * uses them stops start-up with the file, the line and why — never a silent ignore.
 */

import type { DirectiveSpec } from './registry';

export const DIRECTIVES: DirectiveSpec[] = [
  // NETWORK
  { name: 'bind', type: 'string', default: '127.0.0.1 -::1', mutability: 'mutable' },
  { name: 'port', type: 'int', default: '6379', min: 0, max: 65535, mutability: 'mutable' },
  { name: 'protected-mode', type: 'bool', default: 'yes' },
  { name: 'tcp-backlog', type: 'int', default: '511', min: 0, max: 2147483647, mutability: 'immutable' },
  { name: 'timeout', type: 'int', default: '0', min: 0, max: 2147483647 },
  { name: 'tcp-keepalive', type: 'int', default: '300', min: 0, max: 2147483647 },
  { name: 'enable-protected-configs', type: 'enum', default: 'no', values: ['no', 'yes', 'local'], mutability: 'immutable' },
  { name: 'enable-debug-command', type: 'enum', default: 'no', values: ['no', 'yes', 'local'], mutability: 'immutable' },
  { name: 'enable-module-command', type: 'enum', default: 'no', values: ['no', 'yes', 'local'], mutability: 'immutable' },

  // GENERAL
  { name: 'databases', type: 'int', default: '16', min: 1, max: 2147483647, mutability: 'immutable' },
  { name: 'loglevel', type: 'enum', default: 'notice', values: ['debug', 'verbose', 'notice', 'warning', 'nothing'] },
  { name: 'logfile', type: 'string', default: '', mutability: 'immutable' },
  { name: 'pidfile', type: 'string', default: '', mutability: 'immutable' },
  { name: 'hz', type: 'int', default: '10', min: 0, max: 2147483647 },
  { name: 'dynamic-hz', type: 'bool', default: 'yes' },

  // LIMITS
  { name: 'maxclients', type: 'int', default: '10000', min: 1, max: 2147483647 },
  { name: 'proto-max-bulk-len', type: 'memory', default: '512mb', min: 1024 * 1024, max: Number.MAX_SAFE_INTEGER },
  { name: 'client-query-buffer-limit', type: 'memory', default: '1gb', min: 1024 * 1024, max: Number.MAX_SAFE_INTEGER },

  // SLOW LOG
  { name: 'slowlog-log-slower-than', type: 'int', default: '10000', min: -1, max: Number.MAX_SAFE_INTEGER },
  { name: 'slowlog-max-len', type: 'int', default: '128', min: 0, max: Number.MAX_SAFE_INTEGER },
];
