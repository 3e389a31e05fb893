import { once } from 'node:events';
import { type ReceivedSpan, SPAN_KIND, startOtlpReceiver } from '@weft/api/testing/otlp-receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, type Stack, startService, startStack, stopService } from './stack.ts';

// One stack serves both checks: 30 s of vote-bot traffic, exported as traces
// to a real OTLP/gRPC receiver in this process.
const BOT_SECONDS = 30;
const B3_TRACE_ID = '463ac35c9f6413ad48485a3953bb6124';
const B3_SPAN_ID = 'a2fb4a1d1a96d312';

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let stack: Stack;
let bot: Service;
let botExit: number | null;

/** Sums grpc_server_handled_total over the Vote RPCs: all calls, and those that ended OK. */
function voteOutcomes(metrics: string): { total: number; ok: number } {
  let total = 0;
  let ok = 0;
  for (const match of metrics.matchAll(/^grpc_server_handled_total\{([^}]*)\} (\d+)$/gm)) {
    const [, labels = '', count = '0'] = match;
    if (!/grpc_method="Vote/.test(labels)) continue;
    total += Number(count);
    if (labels.includes('grpc_code="OK"')) ok += Number(count);
  }
  return { total, ok };
}

let outcomes: { total: number; ok: number };
let spans: ReceivedSpan[];

beforeAll(
  async () => {
    receiver = await startOtlpReceiver();
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '500' };
    stack = await startStack(otel);
    // A caller that speaks only B3 (single header) must still join the trace.
    await fetch(`${stack.webUrl}/api/list`, { headers: { b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-1` } });
    const started = await startService(
      'vote-bot',
      'vote-bot/main.ts',
      { WEB_HOST: stack.webHost, REQUEST_RATE: '20', TTL: String(BOT_SECONDS), ...otel },
      /vote-bot: voting on/,
    );
    bot = started.service;
    const [code] = (await once(bot.child, 'exit')) as [number | null];
    botExit = code;
    outcomes = voteOutcomes(await (await fetch(stack.votingMetricsUrl)).text());
    // SIGTERM makes every service flush its last spans before it exits.
    await stack.stop();
    spans = receiver.spans;
  },
  (BOT_SECONDS + 30) * 1000,
);

afterAll(async () => {
  if (bot) await stopService(bot);
  await stack?.stop();
  receiver?.close();
});

describe('vote-bot against the real services', () => {
  it('exits 0 by itself once TTL has passed', () => {
    expect(botExit).toBe(0);
  });

  it('sees about 84 % of votes succeed', () => {
    // The bot picks :doughnut: with p = 0.15, otherwise uniformly among 99
    // emojis (doughnut included), so a vote succeeds with p = 1 - (0.15 +
    // 0.85/99) = 0.8414. The count of successes among n votes is binomial,
    // so the observed share has standard deviation sqrt(p(1-p)/n): 0.016 at
    // the n ≈ 500 a quiet machine gives (20 ticks/s for 30 s, minus the time
    // each tick waits for its two requests), 0.026 at n = 200. The tolerance
    // is 4.5 of those for the n actually observed: an honest run fails about
    // once in 150 000, while a bot that never voted for the doughnut (0.991)
    // or always did (0) fails for certain. n must reach 200, or the sample
    // says too little.
    const p = 1 - (0.15 + 0.85 / 99);
    expect(outcomes.total).toBeGreaterThanOrEqual(200);
    expect(outcomes.total).toBeLessThanOrEqual(BOT_SECONDS * 20);
    const share = outcomes.ok / outcomes.total;
    const tolerance = 4.5 * Math.sqrt((p * (1 - p)) / outcomes.total);
    console.info(
      `vote-bot: ${outcomes.ok} of ${outcomes.total} votes succeeded (${(share * 100).toFixed(1)} %, expected ${(p * 100).toFixed(1)} ± ${(tolerance * 100).toFixed(1)})`,
    );
    expect(share).toBeGreaterThan(p - tolerance);
    expect(share).toBeLessThan(p + tolerance);
  });
});

describe('traces exported over OTLP/gRPC', () => {
  const byId = () => new Map(spans.map((s) => [s.spanId, s]));

  it('come from all four services under their upstream names', () => {
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['vote-bot', 'web', 'emoji', 'voting']));
  });

  it('join a vote into one trace: bot → web → emoji FindByShortcode and voting VoteXxx', () => {
    const ids = byId();
    const parentOf = (span: ReceivedSpan | undefined) => (span ? ids.get(span.parentSpanId) : undefined);
    const votingServers = spans.filter((s) => s.service === 'voting' && s.kind === SPAN_KIND.SERVER);
    expect(votingServers.length).toBeGreaterThan(100);
    // Walk up from a voting span: its client span in web, web's server span, the bot's span.
    const chain = votingServers.map((voting) => {
      const webClient = parentOf(voting);
      const webServer = parentOf(webClient);
      const botSpan = parentOf(webServer);
      return { voting, webClient, webServer, botSpan };
    });
    const complete = chain.filter(
      (c) =>
        c.webClient?.service === 'web' &&
        c.webClient.kind === SPAN_KIND.CLIENT &&
        c.webServer?.name === 'GET /api/vote' &&
        c.webServer.kind === SPAN_KIND.SERVER &&
        c.botSpan?.service === 'vote-bot' &&
        c.botSpan.parentSpanId === '',
    );
    // Spans still in a batch when a process stopped may be missing; nearly all must join.
    expect(complete.length / chain.length).toBeGreaterThan(0.95);
    const sample = complete[0];
    if (!sample) throw new Error('no complete vote trace');
    const traceIds = new Set(
      [sample.voting, sample.webClient, sample.webServer, sample.botSpan].map((s) => s?.traceId),
    );
    expect(traceIds.size).toBe(1);
    const emojiLookup = spans.find(
      (s) =>
        s.service === 'emoji' &&
        s.name === 'emojivoto.v1.EmojiService/FindByShortcode' &&
        parentOf(parentOf(s))?.spanId === sample.webServer?.spanId,
    );
    expect(emojiLookup?.traceId).toBe(sample.voting.traceId);
    expect(sample.voting.name).toMatch(/^emojivoto\.v1\.VotingService\/Vote\w+$/);
  });

  it('mark the doughnut vote as an error with grpc status 2 on both sides', () => {
    const doughnut = spans.filter((s) => s.name === 'emojivoto.v1.VotingService/VoteDoughnut');
    expect(doughnut.length).toBeGreaterThan(0);
    for (const span of doughnut) {
      expect(span.statusCode).toBe(2);
      expect(span.attributes['rpc.grpc.status_code']).toBe('2');
    }
  });

  it('link a list call bot → web → emoji ListAll in one trace', () => {
    const ids = byId();
    const listAll = spans.find(
      (s) => s.service === 'emoji' && s.name === 'emojivoto.v1.EmojiService/ListAll' && s.traceId !== B3_TRACE_ID,
    );
    const webServer = ids.get(ids.get(listAll?.parentSpanId ?? '')?.parentSpanId ?? '');
    expect(webServer?.name).toBe('GET /api/list');
    const botSpan = ids.get(webServer?.parentSpanId ?? '');
    expect(botSpan?.service).toBe('vote-bot');
    expect(new Set([listAll?.traceId, webServer?.traceId, botSpan?.traceId]).size).toBe(1);
  });

  it('continue a trace that arrives with only a B3 header', () => {
    const webServer = spans.find(
      (s) => s.service === 'web' && s.kind === SPAN_KIND.SERVER && s.traceId === B3_TRACE_ID,
    );
    expect(webServer?.parentSpanId).toBe(B3_SPAN_ID);
    expect(spans.some((s) => s.service === 'emoji' && s.traceId === B3_TRACE_ID)).toBe(true);
  });
});
