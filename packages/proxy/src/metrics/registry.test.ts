import { describe, expect, it } from 'vitest';
import { Metrics } from './registry.ts';

// The registry bounds every label a peer chooses: past the limit, new values
// share one "overflow" series per direction, and the replacements are counted.

const text = (m: Metrics) => [...m.render()].join('');
const limits = { maxLabelValues: 2, maxTargets: 3 };

describe('Metrics label bounds', () => {
  it('keeps the first values of a label per direction and records the rest as overflow', () => {
    const m = new Metrics(limits);
    const inbound = (authority: string) => m.http({ direction: 'inbound', authority });
    const a = inbound('a');
    inbound('b').requests++;
    const c = inbound('c');
    c.requests += 2;
    inbound('d').requests++;
    expect(a.overflow).toBe(false);
    expect(c.overflow).toBe(true);
    expect(inbound('a')).toBe(a);
    // The other direction has its own values.
    expect(m.http({ direction: 'outbound', authority: 'c' }).overflow).toBe(false);
    const out = text(m);
    expect(out).toContain('request_total{direction="inbound",authority="b"} 1\n');
    expect(out).toContain('request_total{direction="inbound",authority="overflow"} 3\n');
    expect(out).not.toContain('authority="d"');
    expect(out).toContain('proxy_metrics_label_overflow_total{direction="inbound",label="authority"} 2\n');
    expect(out).not.toContain('proxy_metrics_label_overflow_total{direction="outbound"');
  });

  it('bounds client ids, route names, destinations and targets, on every family', () => {
    const m = new Metrics(limits);
    for (let i = 0; i < 5; i++) {
      m.tcp({ direction: 'inbound', peer: 'src', client_id: `c${i}`, target_addr: `10.0.0.${i}:80` });
      m.route({ direction: 'outbound', dst: `svc-${i}:80`, rt_route: `r${i}` }, () => false);
    }
    const out = text(m);
    // Two client ids, three targets: (c0, t0), (c1, t1), (overflow, t2), then overflow for both.
    expect(out.match(/^tcp_open_total\{/gm)).toHaveLength(4);
    expect(out).toContain(
      'tcp_open_total{direction="inbound",peer="src",client_id="overflow",target_addr="overflow"} 0',
    );
    expect(out).toContain('route_request_total{direction="outbound",dst="overflow",rt_route="overflow"} 0');
    expect(out).toContain('proxy_metrics_label_overflow_total{direction="inbound",label="target_addr"} 2\n');
    expect(out).toContain('proxy_metrics_label_overflow_total{direction="outbound",label="rt_route"} 3\n');
  });

  it('takes a peer naming "overflow" into the overflow series without using up a value', () => {
    const m = new Metrics(limits);
    expect(m.http({ direction: 'inbound', authority: 'overflow' }).overflow).toBe(true);
    expect(m.http({ direction: 'inbound', authority: 'a' }).overflow).toBe(false);
    expect(m.http({ direction: 'inbound', authority: 'b' }).overflow).toBe(false);
  });
});

describe('label values', () => {
  it('escapes quotes, backslashes and newlines a peer sends, and leaves other values as they are', () => {
    const m = new Metrics();
    m.http({ direction: 'inbound', authority: 'a"b\\c\nd' }).requests++;
    m.http({ direction: 'inbound', authority: 'web:80' }).requests++;
    for (const alone of ['"', '\\', '\n']) m.http({ direction: 'outbound', authority: alone }).requests++;
    const out = text(m);
    for (const escaped of ['\\"', '\\\\', '\\n'])
      expect(out).toContain(`request_total{direction="outbound",authority="${escaped}"} 1\n`);
    expect(out).toContain('request_total{direction="inbound",authority="a\\"b\\\\c\\nd"} 1\n');
    expect(out).toContain('request_total{direction="inbound",authority="web:80"} 1\n');
  });
});

describe('response series', () => {
  it('reads a grpc-status gRPC does not define as UNKNOWN', () => {
    const s = new Metrics().http({ direction: 'outbound' });
    for (const code of [99, -7, 1.5, Number.NaN]) s.response(200, code).record(1);
    expect(s.response(200, 2).count).toBe(4);
    expect([...s.responses()]).toHaveLength(1);
  });

  it('shares one series per classification past 64 distinct statuses', () => {
    const m = new Metrics();
    const s = m.http({ direction: 'outbound' });
    for (let status = 100; status < 600; status++) s.response(status, -1).record(1);
    expect([...s.responses()]).toHaveLength(66);
    const out = text(m);
    expect(out).toContain('response_total{direction="outbound",status_code="overflow",classification="success"} 336\n');
    expect(out).toContain('response_total{direction="outbound",status_code="overflow",classification="failure"} 100\n');
  });
});

describe('Metrics.render', () => {
  it('yields the same text in chunks of about the size asked for', () => {
    const m = new Metrics();
    for (let i = 0; i < 50; i++)
      m.http({ direction: 'inbound', authority: `a${i}` })
        .response(200, -1)
        .record(3);
    const whole = [...m.render(1 << 30)];
    expect(whole).toHaveLength(1);
    const chunks = [...m.render(4096)];
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.slice(0, -1).every((c) => c.length >= 4096 && c.length < 4096 + 4096)).toBe(true);
    // Counters that move between the two renders are the CPU and memory gauges only.
    const stable = (t: string) => t.replace(/^process_(cpu|resident).*$/gm, '');
    expect(stable(chunks.join(''))).toBe(stable(whole[0] as string));
  });
});
