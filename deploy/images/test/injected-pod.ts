import type { V1Container, V1Pod } from '@kubernetes/client-node';
import {
  applyPatch,
  DEFAULT_INJECTOR_CONFIG,
  INIT_CONTAINER,
  INJECT_ANNOTATION,
  injectPod,
  PROXY_CONTAINER,
} from '@weft/control-plane/injector';

/** The two containers the injector adds to a pod, exactly as it writes them. */
export interface MeshContainers {
  readonly init: V1Container;
  readonly proxy: V1Container;
}

/** Injects emojivoto's web pod with the injector's defaults and returns what it added. */
export function injectedWebPod(image: string): MeshContainers {
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'emojivoto', annotations: { [INJECT_ANNOTATION]: 'enabled' } },
    spec: { serviceAccountName: 'web', containers: [{ name: 'web', image, ports: [{ containerPort: 8080 }] }] },
  };
  const result = injectPod({ pod, namespace: 'emojivoto', namespaceAnnotations: {} }, DEFAULT_INJECTOR_CONFIG);
  if (result.kind !== 'injected') throw new Error(`the injector skipped the pod: ${result.message}`);
  const injected = applyPatch(pod, result.patch).spec;
  // A native sidecar is an init container; otherwise the proxy is among the containers.
  const all = [...(injected?.initContainers ?? []), ...(injected?.containers ?? [])];
  const named = (name: string): V1Container => {
    const found = all.find((c) => c.name === name);
    if (!found) throw new Error(`the injected pod has no ${name} container`);
    return found;
  };
  return { init: named(INIT_CONTAINER), proxy: named(PROXY_CONTAINER) };
}

/**
 * podman run flags that give a container what its spec asks of the kubelet:
 * its command in place of the image's entry point, its user, a read-only root
 * and its capabilities. Its args follow the image name.
 */
export function podmanRunFlags(container: V1Container): string[] {
  const sc = container.securityContext ?? {};
  // Without a command the image's entry point runs, as on Kubernetes.
  const flags = container.command ? ['--entrypoint', JSON.stringify(container.command)] : [];
  if (sc.runAsUser !== undefined) flags.push('--user', String(sc.runAsUser));
  if (sc.readOnlyRootFilesystem) flags.push('--read-only');
  if (sc.allowPrivilegeEscalation === false) flags.push('--security-opt', 'no-new-privileges');
  for (const cap of sc.capabilities?.drop ?? []) flags.push('--cap-drop', cap);
  for (const cap of sc.capabilities?.add ?? []) flags.push('--cap-add', cap);
  return flags;
}
