/*
 * The floor of a Node.js RESP server, for bench/floor.ts: it answers every request with +PONG and
 * does nothing else (no parsing beyond counting request headers, no command table, no state).
 * Whatever a Node server does per request costs at least what this one costs, so the gap between
 * it and redis-server is what the platform (Node's event loop, its C++/JS crossings, libuv) costs,
 * and the gap between it and Redoubt is Redoubt's own work.
 *
 * Two variants, by the second argument:
 *  - `fast`: Redoubt's own I/O paths (src/net/fastio.ts): reads delivered by the handle's onread
 *    hook into one shared buffer, replies written to the handle directly;
 *  - `streams`: what an ordinary Node server does, socket 'data' events and socket.write.
 * Only valid for PING-like traffic: it counts '*' bytes, one per multibulk request, which holds
 * while no argument contains one.
 *
 * Usage: node dist/bench/floor-server.js PORT fast|streams
 */

import * as net from 'node:net';
import { adoptWithOnread, DirectWriter } from '../src/net/fastio';

const port = Number(process.argv[2]);
const fast = process.argv[3] !== 'streams';
const PONGS: string[] = [''];
for (let i = 1; i <= 64; i++) PONGS.push(PONGS[i - 1] + '+PONG\r\n');

function pongs(buf: Buffer, n: number): string {
  let count = 0;
  for (let i = 0; i < n; i++) if (buf[i] === 42 /* '*' */) count++;
  return count <= 64 ? PONGS[count] : '+PONG\r\n'.repeat(count);
}

const server = net.createServer({ noDelay: true, pauseOnConnect: true }, (accepted) => {
  accepted.on('error', () => accepted.destroy());
  if (fast) {
    let writer: DirectWriter | null = null;
    const socket = adoptWithOnread(accepted, (buf, n) => {
      const out = pongs(buf, n);
      if (out.length === 0) return;
      if (writer !== null) writer.write(out);
      else socket!.write(out, 'latin1');
    });
    if (socket !== null) {
      socket.setNoDelay(true);
      socket.on('error', () => socket.destroy());
      writer = DirectWriter.for(socket);
      return;
    }
  }
  accepted.on('data', (chunk: Buffer) => {
    const out = pongs(chunk, chunk.length);
    if (out.length !== 0) accepted.write(out, 'latin1');
  });
  accepted.resume();
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`floor server (${fast ? 'fast' : 'streams'}) on ${port}\n`));
