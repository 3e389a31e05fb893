import type { CommandIo } from '../command.ts';
import { CliError, CliErrorCode } from '../errors.ts';
import { certificateText } from '../output/certificate-text.ts';
import { VizClient } from '../viz/client.ts';
import { parseResource } from '../viz/resource.ts';
import { tapCredentials } from '../viz/tap-client.ts';
import { peerChain } from './peer-chain.ts';

// `weft identity deploy/NAME | po/NAME | POD`: the certificates each pod's
// proxy presents to meshed peers, as `linkerd identity` prints them. Pods
// come from the viz inventory; the CLI proves itself with the certificate it
// uses for tap.

export interface WorkloadIdentityOptions {
  readonly namespace: string | undefined;
  readonly apiAddr: string | undefined;
}

export async function printWorkloadIdentity(
  args: readonly string[],
  opts: WorkloadIdentityOptions,
  io: CommandIo,
): Promise<number> {
  const resource =
    args.length === 1 && !args[0]?.includes('/')
      ? { kind: 'pod' as const, name: args[0] }
      : parseResource(args, ['deployment', 'pod']);
  if (!resource.name) throw new CliError(CliErrorCode.Usage, 'name a workload, e.g. deploy/web or a pod');
  const namespace = opts.namespace ?? io.env.WEFT_NAMESPACE ?? 'default';
  const inventory = await VizClient.resolve(opts.apiAddr, io.env).inventory();
  const pods = inventory.workloads
    .filter(
      (w) =>
        w.namespace === namespace &&
        (resource.kind === 'pod' ? w.pod === resource.name : w.deployment === resource.name),
    )
    .sort((a, b) => a.pod.localeCompare(b.pod));
  if (pods.length === 0) {
    throw new CliError(CliErrorCode.NotFound, `no meshed ${resource.kind} ${namespace}/${resource.name}`);
  }
  const creds = tapCredentials(io.env, inventory.mesh);
  const chains = await Promise.all(pods.map((w) => peerChain(w, creds)));
  pods.forEach((w, i) => {
    const chain = chains[i] ?? [];
    io.stdout.write(`${i > 0 ? '\n' : ''}POD ${w.pod} (${i + 1} of ${pods.length})\n\n`);
    io.stdout.write(chain.map(certificateText).join('\n'));
  });
  return 0;
}
