import { describe, expect, it } from 'vitest';
import { parsePromText } from './prom-text.ts';

describe('parsePromText', () => {
  it('reads names, labels with escapes, and special values', () => {
    const text = [
      '# HELP request_total Total count of HTTP requests.',
      '# TYPE request_total counter',
      'request_total{direction="inbound",authority="web-svc:80",path="a\\"b\\\\c"} 42',
      'response_latency_ms_bucket{le="+Inf",direction="outbound"} 7 1700000000000',
      'process_start_time_seconds 1.7e9',
      '',
    ].join('\n');
    expect(parsePromText(text)).toEqual([
      { name: 'request_total', labels: { direction: 'inbound', authority: 'web-svc:80', path: 'a"b\\c' }, value: 42 },
      { name: 'response_latency_ms_bucket', labels: { le: '+Inf', direction: 'outbound' }, value: 7 },
      { name: 'process_start_time_seconds', labels: {}, value: 1.7e9 },
    ]);
  });

  it('names the line that is malformed', () => {
    expect(() => parsePromText('ok 1\nrequest_total{direction="in 3\n')).toThrow(/line 2/);
    expect(() => parsePromText('request_total abc')).toThrow(/line 1/);
  });
});
