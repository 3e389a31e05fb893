import { APP_SRC, passThrough } from './emojivoto.ts';
import { NAMESPACE, WORKLOADS } from './meshed-emojivoto.ts';
import type { PodDeployment, PodProbe } from './pod-resources.ts';

// emojivoto as `weft dev --pods` runs it: each workload as its Deployment in
// deploy/emojivoto/emojivoto.yaml describes it (ports, variables, service
// names), the apps started from their sources. No sidecar port appears in
// them: an app dials `emoji-svc:8080`, which its pod resolves to the
// Service's virtual IP, and proxy-init's rules hand the connection to the
// sidecar.

/** Container ports and how each app learns them, as in the manifests. */
const CONTAINER: Readonly<Record<string, { entry: string; env: Record<string, string>; probe?: PodProbe }>> = {
  // grpc-js prints nothing more when serving: its own line says the port is bound.
  emoji: {
    entry: 'emoji/main.ts',
    env: { GRPC_PORT: '8080', PROM_PORT: '8801' },
    probe: { kind: 'log', pattern: /gRPC server listening/ },
  },
  voting: {
    entry: 'voting/main.ts',
    env: { GRPC_PORT: '8080', PROM_PORT: '8801' },
    probe: { kind: 'log', pattern: /gRPC server listening/ },
  },
  // The page itself, through web's sidecar; /api/list would wait for emoji through the mesh.
  web: { entry: 'web/main.ts', env: { WEB_PORT: '8080' }, probe: { kind: 'http', port: 8080, path: '/' } },
  'web-v2': { entry: 'web/main.ts', env: { WEB_PORT: '8080' }, probe: { kind: 'http', port: 8080, path: '/' } },
  'vote-bot': { entry: 'vote-bot/main.ts', env: {}, probe: { kind: 'log', pattern: /voting on/ } },
};

const portsOf = (env: Record<string, string>) =>
  Object.entries(env)
    .filter(([name]) => name.endsWith('_PORT'))
    .map(([, port]) => Number(port));

/** `emoji-svc.emojivoto.svc.cluster.local:8080` as the app in the same namespace names it: `emoji-svc:8080`. */
const shortAuthority = (authority: string) => authority.replace(/\..*:/, ':');

export function emojivotoPods(
  shell: Readonly<Record<string, string | undefined>>,
  options: { readonly withBot: boolean; readonly withCanary: boolean },
): PodDeployment[] {
  return WORKLOADS.filter(
    (t) => (options.withBot || t.deployment !== 'vote-bot') && (options.withCanary || t.deployment !== 'web-v2'),
  ).map((t) => {
    const container = CONTAINER[t.deployment] as (typeof CONTAINER)[string];
    const upstreams = Object.fromEntries(Object.entries(t.upstreams).map(([v, a]) => [v, shortAuthority(a)]));
    return {
      name: t.deployment,
      namespace: NAMESPACE,
      labels: t.labels,
      annotations: {},
      serviceAccount: t.serviceAccount,
      argv: [process.execPath, `${APP_SRC}${container.entry}`],
      env: {
        ...passThrough(t.deployment === 'web-v2' ? 'web' : t.deployment, shell),
        ...t.env,
        ...container.env,
        ...upstreams,
      },
      ports: portsOf(container.env),
      probe: container.probe,
    };
  });
}
