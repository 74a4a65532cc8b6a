/*
 * Reads and writes without the stream machinery.
 *
 * Why: at pipeline depth 1 a request is one read and one write, and Node's Readable stream (push,
 * buffering, 'data' emit) costs about as much CPU per read as all of our own request processing.
 * net.Socket's documented `onread` option reads into one caller-supplied buffer and calls back
 * directly. net.Server does not offer that option for the sockets it accepts, so listeners accept
 * connections paused and their handle is re-wrapped here in a Socket created with `onread`
 * (measured: ~30% less CPU per request on PING at pipeline 1).
 *
 * Invariants:
 *  - The chunk given to `onChunk` (its first n bytes) is only valid during the call: one buffer is reused for every
 *    read of every connection (JavaScript runs one callback at a time), so the consumer must copy
 *    whatever it keeps past the call (RequestParser.detach()).
 *  - If the running Node does not expose what this needs, `adopt` returns null and the caller uses
 *    the ordinary 'data' events; behaviour is the same, only slower.
 *  - A TLS socket is never adopted: its handle carries ciphertext, and the decrypted stream exists
 *    only in the TLSSocket wrapper. Re-wrapping the handle would feed raw TLS records to the parser.
 *    For TLS, `hookTlsReads` instead takes the decrypted chunks where the TLS handle hands them to
 *    JavaScript (its `onread`), before the Readable stream machinery: each chunk is a fresh
 *    buffer, so the consumer may keep it. End of stream and errors still go the ordinary way.
 *
 * Writes (DirectWriter): a reply is handed to the socket's handle (writeLatin1String) as Node's own
 * Writable would, minus the stream bookkeeping: with one write per request at pipeline depth 1 that
 * bookkeeping (write request object, state machine, after-write tick) was a tenth of our CPU.
 *  - Order: a direct write is only made while the Writable holds nothing (writableLength 0);
 *    otherwise the data goes through socket.write behind what is buffered there. Writes the handle
 *    could not finish at once are queued by libuv in order, so direct and stream writes interleave
 *    correctly either way.
 *  - Accounting: bytes of direct writes not yet completed are `pending` (output limits, CLIENT LIST
 *    omem); Node's writableLength does not see them.
 *  - Failure: a write error destroys the socket, as the stream does ('close' follows). end() is
 *    safe after direct writes: the shutdown is queued behind pending writes by libuv (and, for TLS,
 *    after the records already encrypted).
 *  - Without the binding this needs, every write goes through socket.write.
 */

import * as net from 'node:net';
import * as tls from 'node:tls';

const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export function adoptWithOnread(accepted: net.Socket, onChunk: (buf: Buffer, n: number) => void): net.Socket | null {
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
        onChunk(buf, nread);
      },
    },
  } as net.SocketConstructorOpts);
  // Where the binding allows, data goes from the handle straight to onChunk: Node's onStreamRead
  // (timer refresh, user-buffer bookkeeping) runs only for end of stream and errors.
  const state = streamBaseState();
  const ordinary = handle.onread;
  if (state !== null && typeof ordinary === 'function') {
    handle.onread = function (this: unknown, arrayBuffer: unknown) {
      const n = state[kReadBytes];
      if (n > 0) {
        onChunk(SHARED_READ_BUFFER, n);
        return;
      }
      return ordinary.call(this, arrayBuffer);
    };
  }
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

/** Node's shared read-result slots (stream_base_commons), or null where the binding is absent. */
let streamState: Int32Array | null | undefined;
let kReadBytes = 0;
let kOffset = 0;
let kLastWriteWasAsync = -1;
let WriteWrap: (new () => WriteReq) | null = null;

function streamBaseState(): Int32Array | null {
  if (streamState === undefined) {
    try {
      const b = (process as unknown as { binding(name: string): any }).binding('stream_wrap');
      streamState = b.streamBaseState instanceof Int32Array ? b.streamBaseState : null;
      kReadBytes = b.kReadBytesOrError;
      kOffset = b.kArrayBufferOffset;
      if (typeof b.WriteWrap === 'function' && typeof b.kLastWriteWasAsync === 'number') {
        WriteWrap = b.WriteWrap;
        kLastWriteWasAsync = b.kLastWriteWasAsync;
      }
    } catch {
      streamState = null;
    }
  }
  return streamState ?? null;
}

/**
 * Delivers the decrypted data of an established TLS socket straight to `onChunk`. Returns false
 * (and changes nothing) when this Node does not expose what it needs; the caller then keeps the
 * 'data' listener it must attach anyway (for data decrypted before the hook was installed).
 * Measured on PING over TLS: about 10-15% less CPU per request. `pause`/`resume` of the stream
 * no longer stop reads, so the caller uses readStop/readStart on the handle (see setReading).
 */
export function hookTlsReads(socket: tls.TLSSocket, onChunk: (chunk: Buffer) => void): boolean {
  const handle = (socket as any)._handle;
  const state = streamBaseState();
  if (state === null || !handle || typeof handle.onread !== 'function' || typeof handle.readStop !== 'function') return false;
  const ordinary = handle.onread;
  handle.onread = function (this: unknown, arrayBuffer: ArrayBuffer | undefined) {
    const n = state[kReadBytes];
    if (n > 0 && arrayBuffer !== undefined) {
      onChunk(Buffer.from(arrayBuffer, state[kOffset], n));
      return;
    }
    return ordinary.call(this, arrayBuffer);
  };
  return true;
}

/** Stops or restarts reading on a socket whose reads bypass the stream (CLIENT PAUSE). */
export function setReading(socket: net.Socket, on: boolean): void {
  const handle = (socket as any)._handle;
  if (!handle || socket.destroyed) return;
  if (on && !handle.reading) {
    handle.reading = true;
    handle.readStart();
  } else if (!on && handle.reading) {
    handle.reading = false;
    handle.readStop();
  }
}

/** The request object a stream handle's write methods take (Node's WriteWrap). */
interface WriteReq {
  handle: unknown;
  oncomplete: (this: WriteReq, status: number) => void;
  async: boolean;
  bytes: number;
  buffer: unknown;
  writer: DirectWriter | null;
}

function onDirectWriteComplete(this: WriteReq, status: number): void {
  const w = this.writer;
  if (w === null) return;
  this.writer = null;
  w.pending -= this.bytes;
  if (status < 0) w.socket.destroy();
}

export class DirectWriter {
  /** bytes handed to the handle whose write has not completed yet */
  pending = 0;
  /** a request object no write is using (a write that completed at once leaves it untouched) */
  private spare: WriteReq | null = null;

  constructor(readonly socket: net.Socket) {}

  /** A writer for this socket, or null when this Node does not expose what it needs. */
  static for(socket: net.Socket): DirectWriter | null {
    const state = streamBaseState();
    const handle = (socket as any)._handle;
    if (state === null || WriteWrap === null || !handle || typeof handle.writeLatin1String !== 'function') return null;
    return new DirectWriter(socket);
  }

  write(data: string): void {
    const socket = this.socket;
    const handle = (socket as any)._handle;
    if (socket.writableLength !== 0 || handle === null || handle === undefined || socket.destroyed || !socket.writable) {
      socket.write(data, 'latin1');
      return;
    }
    let req = this.spare;
    if (req === null) {
      req = new WriteWrap!();
      req.oncomplete = onDirectWriteComplete;
      req.async = false;
      req.buffer = null;
      req.writer = null;
    }
    req.handle = handle;
    const err = handle.writeLatin1String(req, data) as number;
    if (err !== 0) {
      this.spare = req;
      socket.destroy();
      return;
    }
    if (streamState![kLastWriteWasAsync] !== 0) {
      // the handle keeps the request until the write completes
      this.spare = null;
      req.async = true;
      req.bytes = data.length;
      req.writer = this;
      this.pending += data.length;
    } else {
      this.spare = req;
    }
  }
}
