/*
 * PSYNC/SYNC/REPLCONF/WAIT/ROLE on a primary without replicas, byte for byte against redis-server:
 * argument errors, the silent REPLCONF ACK/GETACK of a client that is not a replica, WAIT's
 * immediate answers, and ROLE of a server that never had a replica.
 */

import { diffSuite } from '../diff/harness';

diffSuite('replication commands (primary side)', [
  {
    name: 'REPLCONF options and errors',
    steps: [
      ['REPLCONF'],
      ['REPLCONF', 'listening-port'],
      ['REPLCONF', 'listening-port', 'x'],
      ['REPLCONF', 'listening-port', '6380'],
      ['REPLCONF', 'listening-port', '99999999999'],
      ['REPLCONF', 'ip-address', '10.0.0.1'],
      ['REPLCONF', 'ip-address', 'a'.repeat(255)],
      ['REPLCONF', 'ip-address', 'a'.repeat(256)],
      ['REPLCONF', 'capa', 'eof', 'capa', 'psync2', 'capa', 'unknown'],
      ['REPLCONF', 'rdb-only', '1'],
      ['REPLCONF', 'rdb-only', '2'],
      ['REPLCONF', 'rdb-only', 'x'],
      ['REPLCONF', 'nosuch', 'v'],
      ['REPLCONF', 'listening-port', '1', 'nosuch', 'v'],
      { cmd: ['REPLCONF', 'ACK', '100'], replies: 0 },
      { cmd: ['REPLCONF', 'GETACK', '*'], replies: 0 },
      ['PING'],
    ],
  },
  {
    name: 'WAIT answers at once without replicas to wait for',
    steps: [
      ['WAIT', '0', '0'],
      ['SET', 'k', 'v'],
      ['WAIT', '0', '100'],
      ['WAIT', '-1', '0'],
      ['WAIT', 'x', '0'],
      ['WAIT', '1', 'x'],
      ['WAIT', '1', '-1'],
      ['WAIT', '1', '1.5'],
      ['WAIT', '1', '50'],
      ['WAIT', '1'],
      ['MULTI'], ['WAIT', '1', '0'], ['EXEC'],
    ],
  },
  {
    name: 'ROLE and PSYNC argument errors',
    steps: [
      ['ROLE'],
      ['ROLE', 'x'],
      ['PSYNC'],
      ['PSYNC', '?'],
      ['PSYNC', '?', 'notanumber'],
      ['SYNC', 'x'],
      ['MULTI'], ['PSYNC', '?', '-1'], ['DISCARD'],
      ['ROLE'],
    ],
  },
]);
