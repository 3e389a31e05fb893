import type { ReviewOutcome } from './admission.ts';

// Linkerd's injector metric names, so existing dashboards and alerts apply.
const REQUESTS = 'proxy_inject_admission_requests_total';
const RESPONSES = 'proxy_inject_admission_responses_total';

const label = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

/** Counts admission reviews by namespace, and their outcomes by skip reason. */
export class InjectorMetrics {
  readonly #requests = new Map<string, number>();
  readonly #responses = new Map<string, number>();

  record(o: ReviewOutcome): void {
    const req = `namespace="${label(o.namespace)}"`;
    this.#requests.set(req, (this.#requests.get(req) ?? 0) + 1);
    const res = `${req},skip="${!o.injected}",reason="${label(o.reason)}"`;
    this.#responses.set(res, (this.#responses.get(res) ?? 0) + 1);
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
    ];
    return `${lines.join('\n')}\n`;
  }
}
