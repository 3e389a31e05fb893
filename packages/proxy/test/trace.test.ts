import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, startMesh } from './support/mesh.ts';

// A sampled request through a real proxy pair yields one client span on the
// outbound side and one server span on the inbound side, chained between the
// app's spans, in an OTLP/HTTP JSON receiver; an unsampled one yields none.

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string } }[];
  service: string;
}

let app: Server;
let collector: Server;
let mesh: Mesh;
const seen: IncomingHttpHeaders[] = [];
const spans: Span[] = [];

beforeAll(async () => {
  app = createServer((req, res) => {
    seen.push(req.headers);
    res.end('ok');
  });
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      for (const rs of JSON.parse(body).resourceSpans) {
        const service = rs.resource.attributes.find((a: { key: string }) => a.key === 'service.name').value.stringValue;
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  for (const s of [app, collector]) {
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
  }
  mesh = await startMesh((app.address() as AddressInfo).port, {
    WEFT_PROXY_TRACE_COLLECTOR_ADDR: `127.0.0.1:${(collector.address() as AddressInfo).port}`,
    WEFT_PROXY_TRACE_SERVICE_NAME: 'emoji-proxy',
  });
});

afterAll(async () => {
  await mesh.close();
  app.close();
  collector.close();
});

function get(headers: Record<string, string>): Promise<IncomingHttpHeaders> {
  const n = seen.length;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: mesh.upstreamPort, path: '/api/list?x=1', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(seen[n] as IncomingHttpHeaders));
    });
    req.on('error', reject);
    req.end();
  });
}

async function spansOf(traceId: string, count: number): Promise<Span[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = spans.filter((s) => s.traceId === traceId);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const attr = (s: Span, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? v?.intValue;
};

describe('proxy spans', () => {
  it('continues a sampled W3C trace: app parent → outbound → inbound → app child', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const appParent = '00f067aa0ba902b7';
    const got = await get({ traceparent: `00-${traceId}-${appParent}-01` });
    const [out, inb] = ((await spansOf(traceId, 2)) as Span[]).sort((a, b) => b.kind - a.kind);
    expect(out?.kind).toBe(3);
    expect(inb?.kind).toBe(2);
    expect(out?.parentSpanId).toBe(appParent);
    expect(inb?.parentSpanId).toBe(out?.spanId);
    // The app sees the inbound span as its parent, in the format it was sent.
    expect(got.traceparent).toBe(`00-${traceId}-${inb?.spanId}-01`);
    expect(out?.name).toBe('/api/list');
    expect(attr(inb as Span, 'http.method')).toBe('GET');
    expect(attr(inb as Span, 'http.status_code')).toBe('200');
    expect(attr(inb as Span, 'client.id')).toBe(mesh.clientIdentity);
    expect(attr(out as Span, 'server.id')).toBe(mesh.serverIdentity);
    expect(out?.service).toBe('emoji-proxy');
  });

  it('continues a B3 multi-header trace and rewrites x-b3-spanid', async () => {
    const traceId = 'a3ce929d0e0e4736';
    const got = await get({ 'x-b3-traceid': traceId, 'x-b3-spanid': '1111111111111111', 'x-b3-sampled': '1' });
    const found = await spansOf(traceId.padStart(32, '0'), 2);
    const inb = found.find((s) => s.kind === 2);
    expect(found).toHaveLength(2);
    expect(got['x-b3-traceid']).toBe(traceId);
    expect(got['x-b3-spanid']).toBe(inb?.spanId);
    expect(got['x-b3-parentspanid']).toBe(found.find((s) => s.kind === 3)?.spanId);
  });

  it('never starts a trace: unsampled and absent contexts yield no span and pass unchanged', async () => {
    const unsampled = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-00`;
    const got = await get({ traceparent: unsampled });
    await get({});
    const marker = 'fedcba9876543210fedcba9876543210';
    await get({ traceparent: `00-${marker}-${'3'.repeat(16)}-01` });
    await spansOf(marker, 2);
    expect(got.traceparent).toBe(unsampled);
    expect(spans.filter((s) => s.traceId === '1'.repeat(32))).toHaveLength(0);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(3);
  });
});
