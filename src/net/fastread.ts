/*
 * Reads without the stream machinery, for plain TCP and Unix-socket connections.
 *
 * Why: at pipeline depth 1 a request is one read and one write, and Node's Readable stream (push,
 * buffering, 'data' emit) costs about as much CPU per read as all of our own request processing.
 * net.Socket's documented `onread` option reads into one caller-supplied buffer and calls back
 * directly. net.Server does not offer that option for the sockets it accepts, so listeners accept
 * connections paused and their handle is re-wrapped here in a Socket created with `onread`
 * (measured: ~30% less CPU per request on PING at pipeline 1).
 *
 * Invariants:
 *  - The chunk given to `onChunk` is only valid during the call: one buffer is reused for every
 *    read of every connection (JavaScript runs one callback at a time), so the consumer must copy
 *    whatever it keeps past the call (RequestParser.detach()).
 *  - If the running Node does not expose what this needs, `adopt` returns null and the caller uses
 *    the ordinary 'data' events; behaviour is the same, only slower.
 *  - A TLS socket is never adopted: its handle carries ciphertext, and the decrypted stream exists
 *    only in the TLSSocket wrapper. Re-wrapping the handle would feed raw TLS records to the parser.
 */

import * as net from 'node:net';
import * as tls from 'node:tls';

const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export function adoptWithOnread(accepted: net.Socket, onChunk: (chunk: Buffer) => void): net.Socket | null {
  if (accepted instanceof tls.TLSSocket || (accepted as { encrypted?: boolean }).encrypted === true) return null;
  const anyAccepted = accepted as any;
  const handle = anyAccepted._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function' || handle.reading) return null;
  const owner = anyAccepted.server ?? anyAccepted._server;
  anyAccepted._handle = null; // the accepted wrapper must never touch the handle again
  const socket = new net.Socket({
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: SHARED_READ_BUFFER,
      callback: (nread: number, buf: Buffer) => {
        onChunk(buf.subarray(0, nread));
      },
    },
  } as net.SocketConstructorOpts);
  // net.Server counted this connection on the accepted wrapper; keep its count (getConnections,
  // close()) right now that the wrapper will never emit 'close'.
  if (owner && typeof owner._connections === 'number') {
    socket.once('close', () => {
      owner._connections--;
      if (typeof owner._emitCloseIfDrained === 'function') owner._emitCloseIfDrained();
    });
  }
  return socket;
}
