import type { DestinationResolver } from '../resolve/destination.ts';
import { decodeServer, encodePortSpec } from './proto.ts';
import type { ServerPolicy } from './server-policy.ts';

// The inbound port's policy from InboundServerPolicies.WatchPort, streamed on
// the control plane's HTTP/2 session (the destination client's).

const WATCH_PORT_PATH = '/weft.policy.InboundServerPolicies/WatchPort';

export interface PolicySource {
  watch(listener: (policy: ServerPolicy) => void): () => void;
  /** In force until the first answer. */
  readonly initial?: ServerPolicy;
}

export function watchPort(
  client: DestinationResolver,
  workload: string,
  port: number,
  initial?: ServerPolicy,
): PolicySource {
  return {
    initial,
    watch: (listener) =>
      client.watch(
        WATCH_PORT_PATH,
        `policy ${workload}:${port}`,
        encodePortSpec(workload, port),
        (message) => listener(decodeServer(message)),
        () => {},
      ),
  };
}
