import type { KubeConfig } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import type { NamespaceLookup } from './admission.ts';
import { InjectorError, InjectorErrorCode } from './errors.ts';

/**
 * Reads a namespace's annotations from the API server. Pods carry only their
 * own annotations in the AdmissionReview, so `weft.dev/inject: enabled` on the
 * namespace has to be fetched. Results are kept briefly: a Deployment scaling
 * up sends one review per pod within the same second.
 */
export function kubernetesNamespaceLookup(kc: KubeConfig, ttlMs = 5_000, now = Date.now): NamespaceLookup {
  let api: CoreV1Api | undefined;
  const cache = new Map<string, { at: number; annotations: Readonly<Record<string, string>> }>();
  return async (name) => {
    const hit = cache.get(name);
    if (hit && now() - hit.at < ttlMs) return hit.annotations;
    try {
      // Made on first use: without a cluster in the kubeconfig the client
      // throws, and that must fail one lookup, not the injector's start.
      api ??= kc.makeApiClient(CoreV1Api);
      const ns = await api.readNamespace({ name });
      const annotations = ns.metadata?.annotations ?? {};
      cache.set(name, { at: now(), annotations });
      return annotations;
    } catch (err) {
      throw new InjectorError(
        InjectorErrorCode.NamespaceLookup,
        `reading namespace ${name}: ${(err as Error).message}`,
        {
          namespace: name,
        },
      );
    }
  };
}
