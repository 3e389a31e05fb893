import type { ReviewOutcome } from './admission.ts';

// Linkerd's injector metric names, so existing dashboards and alerts apply.
const REQUESTS = 'proxy_inject_admission_requests_total';
const RESPONSES = 'proxy_inject_admission_responses_total';
const OVERFLOWED = 'proxy_inject_metrics_namespace_overflow_total';

/** The namespace label of reviews past the bound. */
export const OVERFLOW_NAMESPACE = 'overflow';

const label = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

/**
 * Counts admission reviews by namespace, and their outcomes by skip reason.
 * Whoever reaches the webhook names the namespace, so only the first
 * `maxNamespaces` distinct ones get their own series; later ones are counted
 * under namespace="overflow".
 */
export class InjectorMetrics {
  readonly #requests = new Map<string, number>();
  readonly #responses = new Map<string, number>();
  readonly #namespaces = new Set<string>();
  readonly #maxNamespaces: number;
  #overflowed = 0;

  constructor(maxNamespaces = 1000) {
    this.#maxNamespaces = maxNamespaces;
  }

  record(o: ReviewOutcome): void {
    const req = `namespace="${label(this.#namespace(o.namespace))}"`;
    this.#requests.set(req, (this.#requests.get(req) ?? 0) + 1);
    const res = `${req},skip="${!o.injected}",reason="${label(o.reason)}"`;
    this.#responses.set(res, (this.#responses.get(res) ?? 0) + 1);
  }

  #namespace(namespace: string): string {
    if (this.#namespaces.has(namespace)) return namespace;
    if (namespace !== OVERFLOW_NAMESPACE && this.#namespaces.size < this.#maxNamespaces) {
      this.#namespaces.add(namespace);
      return namespace;
    }
    this.#overflowed++;
    return OVERFLOW_NAMESPACE;
  }

  /** Prometheus text exposition format. */
  render(): string {
    const lines = [
      `# HELP ${REQUESTS} Admission reviews received by the proxy injector.`,
      `# TYPE ${REQUESTS} counter`,
      ...[...this.#requests].map(([l, n]) => `${REQUESTS}{${l}} ${n}`),
      `# HELP ${RESPONSES} Admission reviews answered, and whether injection was skipped and why.`,
      `# TYPE ${RESPONSES} counter`,
      ...[...this.#responses].map(([l, n]) => `${RESPONSES}{${l}} ${n}`),
      `# HELP ${OVERFLOWED} Reviews counted under namespace="overflow" because ${this.#maxNamespaces} namespaces already had their own series.`,
      `# TYPE ${OVERFLOWED} counter`,
      `${OVERFLOWED} ${this.#overflowed}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
