import type { ServerWritableStream } from '@grpc/grpc-js';

/**
 * Wires a server stream's lifecycle: `leave` runs exactly once however the
 * client goes away (cancel, close or error), and `resume` runs whenever the
 * stream drains after a write was refused for backpressure.
 */
export function followCall<Req, Res>(
  call: ServerWritableStream<Req, Res>,
  leave: () => void,
  resume: () => void,
): void {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    leave();
  };
  call.once('cancelled', end);
  call.once('close', end);
  call.once('error', end);
  call.on('drain', resume);
}
