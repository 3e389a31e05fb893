import type { V1Pod } from '@kubernetes/client-node';
import type { InjectorConfig } from './config.ts';
import { InjectorErrorCode, isInjectorError } from './errors.ts';
import { injectPod } from './transform.ts';

/** Resolves a namespace's annotations; in a cluster it asks the API server. */
export type NamespaceLookup = (name: string) => Promise<Readonly<Record<string, string>>>;

/** The AdmissionReview v1 response body the API server expects. */
export interface AdmissionReviewResponse {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: {
    uid: string;
    allowed: true;
    patchType?: 'JSONPatch';
    /** base64 of the JSON patch. */
    patch?: string;
    status?: { code: number; message: string };
    warnings?: string[];
  };
}

/** What happened to one review, for the injector's metrics. */
export interface ReviewOutcome {
  readonly namespace: string;
  readonly injected: boolean;
  /** Why nothing was injected: a SkipReason, `invalid-review` or `invalid-annotation`; empty when injected. */
  readonly reason: string;
}

export interface ReviewResult {
  readonly body: AdmissionReviewResponse;
  readonly outcome: ReviewOutcome;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function allow(uid: string, message: string, outcome: ReviewOutcome, warnings: string[] = []): ReviewResult {
  return {
    body: {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid, allowed: true, status: { code: 200, message }, ...(warnings.length ? { warnings } : {}) },
    },
    outcome,
  };
}

/**
 * Answers one AdmissionReview. Never throws: anything it cannot act on is
 * admitted unchanged with a message, because a failing injector must not stop
 * pods from being created (the webhook's failurePolicy is Ignore as well).
 */
export async function review(
  body: unknown,
  config: InjectorConfig,
  lookupNamespace: NamespaceLookup,
): Promise<ReviewResult> {
  const invalid = (namespace: string): ReviewOutcome => ({ namespace, injected: false, reason: 'invalid-review' });
  const request = isObject(body) ? body.request : undefined;
  if (!isObject(request)) {
    return allow('', `${InjectorErrorCode.InvalidReview}: body is not an AdmissionReview with a request`, invalid(''));
  }
  const requestNs = typeof request.namespace === 'string' ? request.namespace : '';
  const uid = typeof request.uid === 'string' ? request.uid : '';
  const kind = isObject(request.kind) ? request.kind.kind : undefined;
  const object = request.object;
  if (kind !== 'Pod' || !isObject(object)) {
    return allow(
      uid,
      `${InjectorErrorCode.InvalidReview}: not a Pod (kind ${String(kind)}); nothing to inject`,
      invalid(requestNs),
    );
  }
  if (object.spec !== undefined && !isObject(object.spec)) {
    return allow(uid, `${InjectorErrorCode.InvalidReview}: pod spec is not an object`, invalid(requestNs));
  }
  const pod = object as V1Pod;
  const namespace =
    typeof request.namespace === 'string' && request.namespace
      ? request.namespace
      : typeof pod.metadata?.namespace === 'string'
        ? pod.metadata.namespace
        : undefined;

  const warnings: string[] = [];
  let namespaceAnnotations: Readonly<Record<string, string>> = {};
  if (namespace) {
    try {
      namespaceAnnotations = await lookupNamespace(namespace);
    } catch (err) {
      // Without the namespace we can still honour the pod's own annotation.
      warnings.push(
        `${InjectorErrorCode.NamespaceLookup}: cannot read namespace ${namespace}: ${(err as Error).message}`,
      );
    }
  }
  try {
    const result = injectPod({ pod, namespace, namespaceAnnotations }, config);
    const ns = namespace ?? '';
    if (result.kind === 'skipped') {
      return allow(
        uid,
        `injection skipped: ${result.message}`,
        { namespace: ns, injected: false, reason: result.reason },
        warnings,
      );
    }
    return {
      body: {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: {
          uid,
          allowed: true,
          patchType: 'JSONPatch',
          patch: Buffer.from(JSON.stringify(result.patch)).toString('base64'),
          status: { code: 200, message: `injected ${result.identity}` },
          ...(warnings.length ? { warnings } : {}),
        },
      },
      outcome: { namespace: ns, injected: true, reason: '' },
    };
  } catch (err) {
    // A bad config.weft.dev/* value: admit the pod unmeshed and tell the user why.
    const known = isInjectorError(err);
    const message = known ? err.message : `unexpected error: ${(err as Error).message}`;
    const outcome = {
      namespace: namespace ?? '',
      injected: false,
      reason: known ? 'invalid-annotation' : 'internal-error',
    };
    return allow(uid, `injection skipped: ${message}`, outcome, [...warnings, message]);
  }
}
