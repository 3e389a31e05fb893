// Random cases that once crashed a Weft process, by target, seed and
// connection number. The runner sends them before any new input, so a crash
// the fuzzer found stays found.

export interface Replay {
  readonly target: string;
  readonly seed: number;
  readonly index: number;
  /** What it broke, and how it was fixed. */
  readonly found: string;
}

export const REPLAYS: readonly Replay[] = [
  {
    target: 'identity-grpc',
    seed: 32,
    index: 113,
    found:
      'gRPC calls to an unknown method whose streams the client reset or closed before the server answered: ' +
      'grpc-js answered a destroyed stream and the throw ended the process (ignoreStreamsClosedBeforeSeen in @weft/api)',
  },
  {
    target: 'identity-grpc',
    seed: 33,
    index: 632,
    found: 'the same, with the stream closed by the reset but not yet destroyed when grpc-js answered it',
  },
  {
    target: 'proxy-inbound',
    seed: 1,
    index: 231,
    found:
      'a request stream left open and HEADERS on stream 0 in one read: the session error tore the session down, ' +
      "under load before the open stream's error was emitted, and the guard read that stream's address from the " +
      "session's unbound socket, which throws (the guard keeps the address as text, read when the session starts)",
  },
];

export function replaysFor(target: string): readonly Replay[] {
  return REPLAYS.filter((r) => r.target === target);
}
