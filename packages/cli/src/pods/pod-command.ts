// How a process runs in a pod: `ip netns exec` enters the pod's network
// namespace (and mounts its /etc/netns files over /etc), then setpriv drops
// to the container's user. Both exec in place, so the spawned pid is the
// process itself and signals reach it directly. setpriv (util-linux, on
// every Debian) takes numeric ids, which need no passwd entry; runuser needs a user name.

/** The proxy's uid: proxy-init's rules let its connections out unredirected. */
export const PROXY_UID = 2102;
/** The apps' uid: any other than the proxy's, so their connections are redirected. */
export const APP_UID = 1000;

export interface PodCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** What to spawn to run `argv` in `netns`, as `uid` (and as the same gid, no supplementary groups) when given. */
export function podCommand(
  netns: string,
  argv: readonly string[],
  options: { readonly uid?: number } = {},
): PodCommand {
  const user =
    options.uid === undefined
      ? []
      : ['setpriv', `--reuid=${options.uid}`, `--regid=${options.uid}`, '--clear-groups', '--'];
  return { command: 'ip', args: ['netns', 'exec', netns, ...user, ...argv] };
}
