import { describe, expect, it } from 'vitest';
import { promtoolProblems } from './promtool.ts';

describe('promtoolProblems', () => {
  it('passes a clean exposition and the unit lint on Linkerd latency names', async () => {
    const text = [
      '# HELP response_latency_ms Latency.',
      '# TYPE response_latency_ms histogram',
      'response_latency_ms_bucket{le="+Inf"} 1',
      'response_latency_ms_sum 3',
      'response_latency_ms_count 1',
      '# HELP request_total Requests.',
      '# TYPE request_total counter',
      'request_total{authority="a"} 1',
      '',
    ].join('\n');
    expect(await promtoolProblems(text)).toEqual([]);
  });

  it('reports a counter declared as a gauge', async () => {
    const text = '# HELP cpu_seconds_total CPU.\n# TYPE cpu_seconds_total gauge\ncpu_seconds_total 1\n';
    expect(await promtoolProblems(text)).toEqual([
      'cpu_seconds_total non-counter metrics should not have "_total" suffix',
    ]);
  });

  it('reports text it cannot parse', async () => {
    const problems = await promtoolProblems('foo{a="b} 1\n');
    expect(problems.join('\n')).toMatch(/parsing error/);
    expect(problems).toContain('promtool exited with 1');
  });
});
