import {
  applyPatch,
  DEFAULT_INJECTOR_CONFIG,
  INJECT_ANNOTATION,
  type InjectInput,
  injectPod,
  PROXY_CONTAINER,
} from '@weft/control-plane/injector';
import { CliError, CliErrorCode } from '../errors.ts';
import { LOCAL_DOMAIN } from './local-identity.ts';
import { PACKAGES } from './mesh-services.ts';
import type { MeshContext } from './meshed-emojivoto.ts';
import type { PodDeployment } from './pod-resources.ts';
import { SIDECAR_GRACE_SECONDS } from './sidecar.ts';

// A pod's sidecar gets the environment the injector writes into its proxy
// container, computed by the injector itself from the same pod, with what
// the kubelet fills in (the downward API, $(VAR) references) filled in here.
// Only what names the control plane differs, because it runs on the host:
// its addresses (the bridge's gateway), its identities, the token file.

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly fieldRef?: { readonly fieldPath?: string } };
}

/** The pod as the injector sees it: the Deployment's template, its namespace asking for injection. */
function podOf(d: PodDeployment, pod: string): InjectInput['pod'] {
  return {
    metadata: { name: pod, namespace: d.namespace, labels: { ...d.labels }, annotations: { ...d.annotations } },
    spec: {
      serviceAccountName: d.serviceAccount,
      containers: [{ name: d.name, ports: d.ports.map((containerPort) => ({ containerPort })) }],
    },
  };
}

/** The injector's proxy environment for this pod, with the downward API and $(VAR) references resolved. */
export function injectedProxyEnv(d: PodDeployment, pod: string, trustAnchorsPem: string): Record<string, string> {
  const config = {
    ...DEFAULT_INJECTOR_CONFIG,
    controlPlaneNamespace: LOCAL_DOMAIN.controlPlaneNamespace,
    trustDomain: LOCAL_DOMAIN.trustDomain,
    trustAnchorsPem,
  };
  const input: InjectInput = {
    pod: podOf(d, pod),
    namespace: d.namespace,
    namespaceAnnotations: { [INJECT_ANNOTATION]: 'enabled' },
  };
  const result = injectPod(input, config);
  if (result.kind !== 'injected') throw new CliError(CliErrorCode.Dev, `${pod}: not injected: ${result.message}`);
  const injected = applyPatch(input.pod, result.patch);
  const proxy = [...(injected.spec?.initContainers ?? []), ...(injected.spec?.containers ?? [])].find(
    (c) => c.name === PROXY_CONTAINER,
  );
  const downward: Record<string, string> = {
    'metadata.name': pod,
    'metadata.namespace': d.namespace,
    'spec.nodeName': 'localhost',
  };
  const env: Record<string, string> = {};
  for (const v of (proxy?.env ?? []) as EnvVar[]) {
    const raw = v.valueFrom?.fieldRef?.fieldPath ? (downward[v.valueFrom.fieldRef.fieldPath] ?? '') : (v.value ?? '');
    // The kubelet expands $(NAME) of variables defined earlier in the list.
    env[v.name] = raw.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (ref, name: string) => env[name] ?? ref);
  }
  return env;
}

/** argv and environment of a pod's sidecar: the injector's, pointed at the mesh on the host. */
export function podSidecar(
  d: PodDeployment,
  pod: string,
  o: { readonly ctx: MeshContext; readonly identity: string; readonly tokenFile: string; readonly cache: string },
): { argv: string[]; env: Record<string, string> } {
  const env = injectedProxyEnv(d, pod, o.ctx.trustAnchorsPem);
  if (env.WEFT_PROXY_IDENTITY_LOCAL_NAME !== o.identity) {
    throw new CliError(
      CliErrorCode.Dev,
      `${pod}: the injector names its identity ${env.WEFT_PROXY_IDENTITY_LOCAL_NAME}, its token ${o.identity}`,
    );
  }
  return {
    // As the image runs it (deploy/docker/bin/weft-component, ADR 0006).
    argv: [process.execPath, '--max-semi-space-size=8', `${PACKAGES}proxy/src/main.ts`],
    env: {
      ...o.ctx.base,
      NODE_COMPILE_CACHE: o.cache,
      ...env,
      WEFT_PROXY_LOG_LEVEL: o.ctx.proxyLogLevel,
      WEFT_PROXY_DESTINATION_ADDR: o.ctx.controlPlaneAddr,
      WEFT_PROXY_DESTINATION_SVC_NAME: o.ctx.controlPlaneIdentity,
      WEFT_PROXY_POLICY_SVC_ADDR: o.ctx.controlPlaneAddr,
      WEFT_PROXY_POLICY_SVC_NAME: o.ctx.controlPlaneIdentity,
      WEFT_PROXY_IDENTITY_SVC_ADDR: o.ctx.identityAddr,
      WEFT_PROXY_IDENTITY_SVC_NAME: o.ctx.identityServiceName,
      WEFT_PROXY_IDENTITY_TOKEN_FILE: o.tokenFile,
      WEFT_PROXY_SHUTDOWN_GRACE_PERIOD: `${SIDECAR_GRACE_SECONDS}s`,
      // As in loopback mode: a peer the runner restarts has no endpoints for a few seconds.
      WEFT_PROXY_FAILFAST_TIMEOUT: '10s',
      WEFT_PROXY_TAP_AUTHORIZED_IDENTITY: o.ctx.tapClientIdentity,
      WEFT_PROXY_TRACE_COLLECTOR_ADDR: o.ctx.proxyTraceCollector,
      WEFT_PROXY_TRACE_SERVICE_NAME: `${d.name}-proxy`,
    },
  };
}
