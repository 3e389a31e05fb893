import { spawnSync } from 'node:child_process';
import { chooseFirewall } from '@weft/control-plane/injector';
import { CliError, CliErrorCode } from '../errors.ts';

/** What pods mode needs of the machine, checked before anything is created. */
export interface HostFacts {
  readonly platform: NodeJS.Platform;
  readonly uid: number;
  readonly path: string;
}

const currentHost = (): HostFacts => ({
  platform: process.platform,
  uid: process.getuid?.() ?? -1,
  path: process.env.PATH ?? '',
});

/** Throws NOT_LINUX, NOT_ROOT, NO_IP or NO_IPTABLES, in that order, when pods mode cannot run here. */
export function checkHost(host: HostFacts = currentHost()): void {
  if (host.platform !== 'linux')
    throw new CliError(CliErrorCode.PodsNotLinux, `pods need Linux network namespaces; this is ${host.platform}`);
  if (host.uid !== 0)
    throw new CliError(
      CliErrorCode.PodsNotRoot,
      `pods create network namespaces, a bridge and iptables rules: run as root (uid is ${host.uid})`,
    );
  const ipVersion = spawnSync('ip', ['-V'], { encoding: 'utf8', env: { PATH: host.path } });
  if (ipVersion.status !== 0)
    throw new CliError(CliErrorCode.PodsNoIp, `no working \`ip\` command on PATH (${host.path}); install iproute2`);
  try {
    chooseFirewall('nft', 4, host.path);
  } catch (err) {
    throw new CliError(CliErrorCode.PodsNoIptables, (err as Error).message, { cause: err });
  }
}
