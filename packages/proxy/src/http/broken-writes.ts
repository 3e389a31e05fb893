import type { Socket } from 'node:net';

// An upstream may answer before it has read the whole request (413 to an
// upload too large) and close. The proxy, still sending the body, then gets
// EPIPE or ECONNRESET on a write, and node:net would destroy the socket at
// once: the answer, already in the kernel's receive buffer, would never be
// read, and the client would get a 502. Here a write into a connection the
// peer reset is dropped instead; reading goes on, so the answer arrives, and
// the connection ends with the read error or EOF that the reset guarantees.

const BROKEN = new Set(['EPIPE', 'ECONNRESET']);

const kBroken = Symbol('weft.brokenWrites');
const kWrapped = Symbol('weft.wrappedOnwrite');
type Watched = Socket & {
  [kBroken]?: boolean;
  /** Writable passes the same onwrite callback to every write: wrapped once, not per write. */
  [kWrapped]?: { readonly original: (err?: Error | null) => void; readonly wrapped: (err?: Error | null) => void };
  _write(chunk: unknown, encoding: BufferEncoding, cb: (err?: Error | null) => void): void;
  _writev(chunks: unknown[], cb: (err?: Error | null) => void): void;
};

/** For sockets the proxy writes request bodies to; called once per connection. */
export function readPastBrokenWrites(socket: Socket): void {
  const s = socket as Watched;
  const write = s._write;
  const writev = s._writev;
  s._write = function (this: Watched, chunk, encoding, cb) {
    if (this[kBroken]) return cb();
    write.call(this, chunk, encoding, wrap(this, cb));
  };
  s._writev = function (this: Watched, chunks, cb) {
    if (this[kBroken]) return cb();
    writev.call(this, chunks, wrap(this, cb));
  };
}

/** True once a write found the peer gone: the connection must not be reused. */
export function writesBroken(socket: Socket): boolean {
  return (socket as Watched)[kBroken] === true;
}

function wrap(socket: Watched, cb: (err?: Error | null) => void): (err?: Error | null) => void {
  const cached = socket[kWrapped];
  if (cached?.original === cb) return cached.wrapped;
  const wrapped = (err?: Error | null) => {
    if (err && BROKEN.has((err as NodeJS.ErrnoException).code ?? '')) {
      socket[kBroken] = true;
      cb();
    } else cb(err);
  };
  socket[kWrapped] = { original: cb, wrapped };
  return wrapped;
}
