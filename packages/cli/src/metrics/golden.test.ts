import { describe, expect, it } from 'vitest';
import { goldenRows } from './golden.ts';
import { parsePromText } from './prom-text.ts';

// Two scrapes of two proxies ten seconds apart, in the proxy's exposition format.
const before = parsePromText(`
response_total{direction="inbound",deployment="voting",classification="success",status_code="200"} 100
response_total{direction="inbound",deployment="voting",classification="failure",status_code="200"} 20
response_latency_ms_bucket{direction="inbound",deployment="voting",le="1"} 50
response_latency_ms_bucket{direction="inbound",deployment="voting",le="10"} 120
response_latency_ms_bucket{direction="inbound",deployment="voting",le="+Inf"} 120
response_total{direction="outbound",deployment="web",classification="success",status_code="200"} 999
response_total{direction="inbound",deployment="emoji",classification="success",status_code="200"} 500
`);
const after = parsePromText(`
response_total{direction="inbound",deployment="voting",classification="success",status_code="200"} 184
response_total{direction="inbound",deployment="voting",classification="failure",status_code="200"} 36
response_latency_ms_bucket{direction="inbound",deployment="voting",le="1"} 100
response_latency_ms_bucket{direction="inbound",deployment="voting",le="10"} 220
response_latency_ms_bucket{direction="inbound",deployment="voting",le="+Inf"} 220
response_total{direction="outbound",deployment="web",classification="success",status_code="200"} 2000
response_total{direction="inbound",deployment="emoji",classification="success",status_code="200"} 30
tcp_open_connections{direction="inbound",deployment="voting",peer="src"} 2
`);

describe('goldenRows', () => {
  const rows = goldenRows(before, after, 10, {
    groupBy: ['deployment'],
    where: (l) => l.direction === 'inbound',
  });
  const byName = Object.fromEntries(rows.map((r) => [r.key.deployment, r]));

  it('computes success rate and rate from counter increases in the window', () => {
    expect(byName.voting?.responses).toBe(100);
    expect(byName.voting?.successRate).toBeCloseTo(0.84, 5);
    expect(byName.voting?.rps).toBeCloseTo(10, 5);
    expect(byName.voting?.tcpOpenConnections).toBe(2);
  });

  it('takes latency quantiles from the buckets that grew in the window', () => {
    // 50 of the 100 new observations were under 1 ms, the rest between 1 and 10 ms.
    expect(byName.voting?.latencyMs.p50).toBeCloseTo(1, 5);
    expect(byName.voting?.latencyMs.p99).toBeCloseTo(9.82, 2);
  });

  it('counts a reset counter from zero and leaves out other directions', () => {
    expect(byName.emoji?.responses).toBe(30);
    expect(byName.web).toBeUndefined();
  });
});

describe('best and worst', () => {
  it('are the bounds of the lowest and highest buckets that grew', () => {
    const rows = goldenRows(before, after, 10, { groupBy: ['deployment'], where: (l) => l.direction === 'inbound' });
    const voting = rows.find((r) => r.key.deployment === 'voting');
    expect(voting?.latencyMs.best).toBe(1);
    expect(voting?.latencyMs.worst).toBe(10);
  });
});
