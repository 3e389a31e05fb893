import type { Socket } from 'node:net';

// tcp_open_total, tcp_close_total, tcp_open_connections and the byte
// counters. Bytes are read from the sockets themselves at scrape time (open
// ones) and at close (closed ones), so the data path pays nothing per chunk.

export class TcpSeries {
  readonly labels: string;
  opened = 0;
  readBytesClosed = 0;
  writeBytesClosed = 0;
  readonly closedByErrno = new Map<string, number>();
  readonly open = new Set<Socket>();
  constructor(labels: string) {
    this.labels = labels;
  }

  /** Counts `socket` from now until it closes. */
  track(socket: Socket): void {
    this.opened++;
    this.open.add(socket);
    socket.once('close', () => this.#closed(socket));
  }

  #closed(socket: Socket): void {
    this.open.delete(socket);
    this.readBytesClosed += socket.bytesRead;
    this.writeBytesClosed += socket.bytesWritten;
    const errno = socket.errored ? ((socket.errored as NodeJS.ErrnoException).code ?? '') : '';
    this.closedByErrno.set(errno, (this.closedByErrno.get(errno) ?? 0) + 1);
  }

  readBytes(): number {
    let n = this.readBytesClosed;
    for (const s of this.open) n += s.bytesRead;
    return n;
  }

  writeBytes(): number {
    let n = this.writeBytesClosed;
    for (const s of this.open) n += s.bytesWritten;
    return n;
  }
}
