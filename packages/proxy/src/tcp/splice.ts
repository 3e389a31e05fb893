import type { Duplex } from 'node:stream';

// Joins two connections byte for byte, with backpressure both ways. Either
// side failing or closing tears down the other; half-close is passed on.

export function splice(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const teardown = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', teardown);
  b.on('error', teardown);
  a.on('close', teardown);
  b.on('close', teardown);
}
