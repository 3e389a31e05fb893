import { describe, expect, it } from 'vitest';
import { InjectorMetrics } from './metrics.ts';

describe('InjectorMetrics', () => {
  it('gives the first namespaces their own series and counts later ones under namespace="overflow"', () => {
    const metrics = new InjectorMetrics(2);
    for (const namespace of ['a', 'b', 'c', 'd', 'a', 'overflow'])
      metrics.record({ namespace, injected: true, reason: '' });
    const text = metrics.render();
    expect(text).toContain('proxy_inject_admission_requests_total{namespace="a"} 2\n');
    expect(text).toContain('proxy_inject_admission_requests_total{namespace="b"} 1\n');
    expect(text).toContain('proxy_inject_admission_requests_total{namespace="overflow"} 3\n');
    expect(text).not.toContain('namespace="c"');
    expect(text).toContain('proxy_inject_metrics_namespace_overflow_total 3\n');
  });
});
