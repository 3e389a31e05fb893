import type { Socket } from 'node:net';
import { classify, DETECT_MAX_BYTES, type Protocol } from './classify.ts';

// Reads the first bytes of an accepted connection, bounded by a timeout, and
// puts them back (unshift) so the next stage sees the stream untouched.

export type Detected = Protocol | 'timeout' | 'closed';

/**
 * node:http reads a socket's native handle directly when it can, which skips
 * bytes put back with unshift. Marking the handle as taken makes the HTTP/1
 * server read through the stream instead, so it sees the detected bytes.
 * (TLS and HTTP/2 read what was put back on their own.)
 */
export function keepStreamReads(socket: Socket): void {
  const handle = (socket as Socket & { _handle?: { _consumed?: boolean } })._handle;
  if (handle) handle._consumed = true;
}

export function detect(socket: Socket, timeoutMs: number, done: (result: Detected) => void): void {
  let buffered: Buffer | undefined;
  let finished = false;
  const finish = (result: Detected) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('error', onEnd);
    socket.off('close', onEnd);
    socket.pause();
    if (buffered) socket.unshift(buffered);
    done(result);
  };
  const onData = (chunk: Buffer) => {
    buffered = buffered ? Buffer.concat([buffered, chunk]) : chunk;
    const protocol = classify(buffered);
    if (protocol) finish(protocol);
    else if (buffered.length >= DETECT_MAX_BYTES) finish('opaque');
  };
  const onEnd = () => finish(buffered ? (classify(buffered) ?? 'opaque') : 'closed');
  const timer = setTimeout(() => finish(buffered ? 'opaque' : 'timeout'), timeoutMs);
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', onEnd);
  socket.on('close', onEnd);
}
