import { HttpMethod, type KubeConfig, RequestContext } from '@kubernetes/client-node';
import { fetch } from 'undici';
import { cpError, ErrorCode } from '../../errors.ts';

export interface ListResult {
  items: unknown[];
  resourceVersion: string;
}

const PAGE = 500;

/**
 * Lists a collection, following `continue` pages. Uses the KubeConfig's
 * authentication and TLS exactly as the client library's Watch does, so list
 * and watch reach the API server the same way.
 */
export async function listAll(kc: KubeConfig, path: string, signal?: AbortSignal): Promise<ListResult> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw cpError(ErrorCode.KubernetesApi, 'the kubeconfig has no current cluster');
  const items: unknown[] = [];
  let token = '';
  for (;;) {
    const url = new URL(cluster.server + path);
    url.searchParams.set('limit', String(PAGE));
    if (token) url.searchParams.set('continue', token);
    const ctx = new RequestContext(url.toString(), HttpMethod.GET);
    await kc.applySecurityAuthentication(ctx);
    const res = await fetch(url, { headers: ctx.getHeaders(), dispatcher: ctx.getDispatcher(), signal });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw cpError(ErrorCode.KubernetesApi, `list ${path}: HTTP ${res.status}`, { path, status: res.status });
    }
    const body = (await res.json()) as {
      items?: unknown[];
      metadata?: { resourceVersion?: string; continue?: string };
    };
    items.push(...(body.items ?? []));
    token = body.metadata?.continue ?? '';
    if (!token) return { items, resourceVersion: body.metadata?.resourceVersion ?? '' };
  }
}
