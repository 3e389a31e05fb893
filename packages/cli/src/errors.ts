// The CLI's error catalogue. Codes are stable: scripts and tests match on
// them, never on the message text.

export const CliErrorCode = {
  /** A flag or argument that is missing or has an unusable value. */
  Usage: 'WEFT_CLI_USAGE',
  /** An input file (or stdin) that cannot be read. */
  ReadInput: 'WEFT_CLI_READ_INPUT',
  /** Input that is not valid YAML, JSON or protobuf. */
  ParseInput: 'WEFT_CLI_PARSE_INPUT',
  /** A workload the injector refuses (for example a bad config annotation). */
  Inject: 'WEFT_CLI_INJECT',
  /** An API description that yields no ServiceProfile routes. */
  Profile: 'WEFT_CLI_PROFILE',
  /** `weft dev`: a process it supervises failed to start or become ready. */
  Dev: 'WEFT_CLI_DEV',
  /** `weft dev`: another `weft dev` holds this directory's lock (.weft/dev/lock). */
  DevRunning: 'WEFT_CLI_DEV_RUNNING',
  /** The viz API (of `weft dev`) is unreachable or refused a query. */
  Viz: 'WEFT_CLI_VIZ',
  /** A Prometheus server given with --prometheus is unreachable or refused a query. */
  Prometheus: 'WEFT_CLI_PROMETHEUS',
  /** A control-plane API (destination, policy) is unreachable or refused a call. */
  ControlPlane: 'WEFT_CLI_CONTROL_PLANE',
  /** Something asked for is not there (a deployment, a trace). */
  NotFound: 'WEFT_CLI_NOT_FOUND',
  /** A proxy's tap refused the CLI, or tap credentials are missing. */
  Tap: 'WEFT_CLI_TAP',
  /** A proxy's certificate could not be read (`weft identity WORKLOAD`). */
  Identity: 'WEFT_CLI_IDENTITY',
  /** Pods mode needs Linux: network namespaces, veths and iptables. */
  PodsNotLinux: 'WEFT_CLI_PODS_NOT_LINUX',
  /** Pods mode creates namespaces, a bridge and iptables rules: it must run as root. */
  PodsNotRoot: 'WEFT_CLI_PODS_NOT_ROOT',
  /** The `ip` command (iproute2) is not installed. */
  PodsNoIp: 'WEFT_CLI_PODS_NO_IP',
  /** No iptables front end (nft, legacy or plain) is installed, so proxy-init cannot redirect. */
  PodsNoIptables: 'WEFT_CLI_PODS_NO_IPTABLES',
  /** No 10.x.0.0/16 is free of the host's routes, addresses and name servers. */
  PodsNoSubnet: 'WEFT_CLI_PODS_NO_SUBNET',
  /** Setting up or tearing down the pod network failed (a command of `ip`, proxy-init, a file). */
  PodsNetwork: 'WEFT_CLI_PODS_NETWORK',
} as const;

export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

export class CliError extends Error {
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
  }
}

/** How every command reports a failure: `Error: <message> (<code>)`, as the user reads it. */
/** Writes a command's error as `weft` shows it and returns its exit code: 2 for bad usage, 1 otherwise. */
export function failWith(err: unknown, io: { readonly stderr: NodeJS.WritableStream }): number {
  io.stderr.write(formatCliError(err));
  return err instanceof CliError && err.code === CliErrorCode.Usage ? 2 : 1;
}

export function formatCliError(err: unknown): string {
  if (err instanceof CliError) return `Error: ${err.message} (${err.code})\n`;
  const code = (err as { code?: unknown })?.code;
  return `Error: ${(err as Error)?.message ?? String(err)}${typeof code === 'string' ? ` (${code})` : ''}\n`;
}
