import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type SpanData, SpanExporter } from './exporter.ts';

const span = (i: number): SpanData => ({
  traceId: 'ab'.repeat(16),
  spanId: i.toString(16).padStart(16, '0'),
  parentSpanId: 'cd'.repeat(8),
  name: '/x',
  kind: 2,
  startNs: 1n,
  endNs: 2n,
  error: false,
  attributes: {},
});

describe('span exporter', () => {
  it('keeps at most maxBuffered spans while the collector is slow, and drops the rest', async () => {
    const bodies: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const collector = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', async () => {
        bodies.push(JSON.parse(body).resourceSpans[0].scopeSpans[0].spans.length);
        await gate;
        res.end('{}');
      });
    });
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    const exporter = new SpanExporter({
      collector: `127.0.0.1:${(collector.address() as AddressInfo).port}`,
      serviceName: 'x',
      batchSize: 10,
      maxBuffered: 50,
    });
    // The first batch goes out and hangs; 50 more wait; the rest are dropped.
    for (let i = 0; i < 100; i++) exporter.add(span(i));
    expect(exporter.dropped).toBe(40);
    release();
    const deadline = Date.now() + 10_000;
    while (exporter.exported < 60 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(exporter.exported).toBe(60);
    expect(bodies.every((n) => n <= 10)).toBe(true);
    collector.close();
  });

  it('counts spans it could not deliver and goes on', async () => {
    const exporter = new SpanExporter({ collector: '127.0.0.1:1', serviceName: 'x', batchSize: 5 });
    for (let i = 0; i < 5; i++) exporter.add(span(i));
    await exporter.flush();
    const deadline = Date.now() + 10_000;
    while (exporter.failed < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(exporter.failed).toBe(5);
  });
});
