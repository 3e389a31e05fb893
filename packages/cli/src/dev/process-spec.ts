/**
 * How the runner knows a process is ready to take traffic. The runner polls
 * until the check passes, the process exits, or the time runs out.
 */
export type ReadinessCheck =
  /** A TCP connect to host:port succeeds (gRPC servers, sidecars). */
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  /** An HTTP GET answers with a 2xx status. */
  | { readonly kind: 'http'; readonly url: string }
  /** The process prints a line matching the pattern (for processes without a port). */
  | { readonly kind: 'log'; readonly pattern: RegExp };

/** One supervised process: what to run, with what environment, and when it is ready. */
export interface ProcessSpec {
  /** Short name used as the log prefix, e.g. "web" gives "[web] ...". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** The complete environment of the process; nothing is inherited implicitly. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly ready: ReadinessCheck;
}

export function describeCheck(check: ReadinessCheck): string {
  switch (check.kind) {
    case 'tcp':
      return `tcp ${check.host}:${check.port}`;
    case 'http':
      return `GET ${check.url}`;
    case 'log':
      return `log line ${check.pattern}`;
  }
}
