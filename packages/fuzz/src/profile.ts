/** What the generator knows about a listener: the names and paths that reach past its first checks. */
export interface Profile {
  /**
   * :authority and Host values. Only names that do not resolve and loopback
   * addresses: a proxy that forwards what it is sent must reach nothing off
   * this machine.
   */
  readonly authorities: readonly string[];
  /** Paths the listener serves (admin routes, gRPC methods); the generator adds hostile ones. */
  readonly paths: readonly string[];
}
