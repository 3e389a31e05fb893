import { loadDestinationApi, loadPolicyApi } from '@weft/api';
import type { Update__Output } from '@weft/api/gen/weft/destination/Update.ts';
import type { Server__Output } from '@weft/api/gen/weft/policy/Server.ts';
import { CliError, CliErrorCode } from '../errors.ts';
import type { ControlPlaneChannel } from './control-plane-channel.ts';

// What the control plane tells proxies, asked the way a proxy asks:
// Destination.Get for endpoints, InboundServerPolicies.GetPort for policy.

const TIMEOUT_MS = 5000;

export interface EndpointRow {
  readonly namespace: string;
  readonly ip: string;
  readonly port: number;
  readonly pod: string;
  readonly service: string;
  /** The mTLS identity proxies expect, empty when the endpoint is not meshed. */
  readonly identity: string;
}

/** The endpoints of `authority` in the first answer of a Get stream. */
export function getEndpoints(
  addr: string,
  channel: ControlPlaneChannel,
  authority: string,
  opts: { scheme: string; contextToken: string },
): Promise<EndpointRow[]> {
  const Destination = loadDestinationApi().weft.destination.Destination;
  const client = new Destination(addr, channel.creds, channel.options);
  return new Promise<EndpointRow[]>((resolve, reject) => {
    const call = client.Get(
      { scheme: opts.scheme, path: authority, contextToken: opts.contextToken },
      { deadline: Date.now() + TIMEOUT_MS },
    );
    const finish = (fn: () => void) => {
      call.removeAllListeners();
      call.on('error', () => {});
      call.cancel();
      client.close();
      fn();
    };
    call.on('data', (update: Update__Output) => {
      const set = update.add;
      if (update.noEndpoints) return finish(() => resolve([]));
      if (!set) return;
      const rows = set.addrs.map((a) => ({
        namespace: a.metricLabels.namespace ?? set.metricLabels.namespace ?? '',
        ip: a.addr?.ip ?? '',
        port: a.addr?.port ?? 0,
        pod: a.metricLabels.pod ?? '',
        service: a.metricLabels.service ?? set.metricLabels.service ?? '',
        identity: a.tlsIdentity?.name ?? '',
      }));
      finish(() => resolve(rows));
    });
    call.on('error', (err) => finish(() => reject(controlPlaneError(addr, err))));
    call.on('end', () => finish(() => resolve([])));
  });
}

/** The inbound policy the control plane gives the proxy of `pod` for `port`. */
export function getInboundPolicy(
  addr: string,
  channel: ControlPlaneChannel,
  namespace: string,
  pod: string,
  port: number,
): Promise<Server__Output> {
  const Policies = loadPolicyApi().weft.policy.InboundServerPolicies;
  const client = new Policies(addr, channel.creds, channel.options);
  return new Promise<Server__Output>((resolve, reject) => {
    client.GetPort(
      { workload: JSON.stringify({ ns: namespace, pod }), port },
      { deadline: Date.now() + TIMEOUT_MS },
      (err, server) => {
        client.close();
        if (err || !server) reject(controlPlaneError(addr, err ?? new Error('empty answer')));
        else resolve(server);
      },
    );
  });
}

function controlPlaneError(addr: string, err: Error & { code?: number; details?: string }): CliError {
  // gRPC NOT_FOUND: the control plane does not know the name asked for.
  if (err.code === 5) return new CliError(CliErrorCode.NotFound, err.details || err.message);
  return new CliError(
    CliErrorCode.ControlPlane,
    `the control plane at ${addr} did not answer: ${err.details || err.message}`,
  );
}
