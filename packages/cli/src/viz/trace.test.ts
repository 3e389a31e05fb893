import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpGrpc } from './otlp/grpc-receiver.ts';
import type { SpanRecord } from './otlp/span.ts';
import { startViz, type VizServer } from './server.ts';
import { runCli } from './testing/run-cli.ts';

// Spans from the real OTel JS SDK and its OTLP/gRPC exporter (what emojivoto
// uses) reach the viz receiver, are forwarded upstream, and `weft trace`
// lists and draws them.

let viz: VizServer;
let upstream: Awaited<ReturnType<typeof startOtlpGrpc>>;
const forwarded: SpanRecord[] = [];
let traceId = '';

function provider(service: string): TracerProvider {
  return new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [
      new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `http://${viz.otlpGrpcAddress}` }) }),
    ],
  });
}

beforeAll(async () => {
  upstream = await startOtlpGrpc({ listen: '127.0.0.1:0', onSpans: (s) => forwarded.push(...s) });
  viz = await startViz({ forwardOtlpTo: upstream.address });
  const web = provider('web');
  const emoji = provider('emoji');
  const root = web.getTracer('test').startSpan('GET /api/vote');
  traceId = root.spanContext().traceId;
  const parent = trace.setSpan(context.active(), root);
  const call = web.getTracer('test').startSpan('emojivoto.v1.EmojiService/FindByShortcode', { kind: 3 }, parent);
  const served = emoji
    .getTracer('test')
    .startSpan('emojivoto.v1.EmojiService/FindByShortcode', { kind: 2 }, trace.setSpan(parent, call));
  await new Promise((r) => setTimeout(r, 5));
  served.setStatus({ code: SpanStatusCode.ERROR, message: 'doughnut' });
  served.end();
  call.end();
  root.end();
  await Promise.all([web.forceFlush(), emoji.forceFlush()]);
  await Promise.all([web.shutdown(), emoji.shutdown()]);
});

afterAll(async () => {
  await viz.close();
  await upstream.close();
});

const api = () => ({ WEFT_API_ADDR: viz.address });

describe('weft trace', () => {
  it('lists the trace with its root, span count and errors', async () => {
    const { code, stdout } = await runCli(['trace'], api());
    expect(code).toBe(0);
    const [header, row] = stdout.trimEnd().split('\n');
    expect(header?.split(/\s+/)).toEqual([
      'TRACE_ID',
      'ROOT_SERVICE',
      'ROOT_SPAN',
      'START',
      'DURATION',
      'SPANS',
      'ERRORS',
    ]);
    expect(row).toMatch(new RegExp(`^${traceId}\\s+web\\s+GET /api/vote\\s+\\S+\\s+\\S+\\s+3\\s+1$`));
    const json = JSON.parse((await runCli(['trace', '--service', 'emoji', '-o', 'json'], api())).stdout);
    expect(json[0]).toMatchObject({ traceId, spans: 3, errors: 1, services: ['emoji', 'web'] });
    expect(JSON.parse((await runCli(['trace', '--service', 'nobody', '-o', 'json'], api())).stdout)).toEqual([]);
  });

  it('draws the trace as a waterfall, children under their parents', async () => {
    const { stdout } = await runCli(['trace', traceId], api());
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SERVICE\s+SPAN\s+OFFSET\s+DURATION\s+0/);
    // The root starts the axis and covers it; spans timed by another process may
    // end a hair later, so its bar can round one block short of the full width.
    expect(lines[1]).toMatch(/^web\s+GET \/api\/vote\s+0µs\s+\S+\s+\|█{39,40} ?\|$/);
    expect(lines[2]).toMatch(/^web\s+ {2}emojivoto\.v1\.EmojiService\/FindByShortcode\s/);
    expect(lines[3]).toMatch(/^emoji\s+ {4}emojivoto\.v1\.EmojiService\/FindByShortcode ×\s/);
  });

  it('forwards every export upstream unchanged', async () => {
    await expect.poll(() => forwarded.length).toBe(3);
    expect(new Set(forwarded.map((s) => s.traceId))).toEqual(new Set([traceId]));
  });

  it('takes OTLP/HTTP JSON too, and refuses what is not an export', async () => {
    const id = 'ab'.repeat(16);
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'vote-bot' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: id,
                  spanId: '01'.repeat(8),
                  name: 'vote',
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000000250000000',
                },
              ],
            },
          ],
        },
      ],
    };
    const post = (b: string, type: string) =>
      fetch(`${viz.address}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body: b });
    expect((await post(JSON.stringify(body), 'application/json')).status).toBe(200);
    const listed = JSON.parse((await runCli(['trace', '-o', 'json', '--service', 'vote-bot'], api())).stdout);
    expect(listed[0]).toMatchObject({ traceId: id, rootService: 'vote-bot', durationUs: 250_000 });
    expect(
      (await post('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}', 'application/json')).status,
    ).toBe(400);
    expect((await post('\u0008\u00ff\u00ff\u00ff', 'application/x-protobuf')).status).toBe(400);
    const missing = await runCli(['trace', 'cd'.repeat(16)], api());
    expect(missing.stderr).toContain('WEFT_CLI_NOT_FOUND');
    expect((await runCli(['trace', 'nope'], api())).code).toBe(2);
  });
});
