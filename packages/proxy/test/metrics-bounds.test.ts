import { once } from 'node:events';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promtoolProblems } from '@weft/api/testing/promtool';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDestination } from './support/destination-server.ts';
import { type ProxyProcess, startProxyProcess } from './support/proxy-process.ts';

// Any client chooses its Host header. A proxy process that serves 20 000
// distinct ones keeps at most 100 authorities per direction on /metrics (the
// rest read authority="overflow" and are counted as such), so the scrape stays
// small, the process does not grow with them, and the text stays valid.

const HOSTS = 20_000;
/** More than the bound, fewer than HOSTS: each new outbound authority is a discovery lookup and a connection. */
const OUTBOUND_HOSTS = 1_000;
const MAX_AUTHORITIES = 100;
/**
 * Both directions at their bound, one status each: about 8 KB per latency
 * histogram, 3 MB measured. Before the bound, the inbound hosts alone made 153 MB.
 */
const MAX_SCRAPE_BYTES = 4 * 1024 * 1024;
/** Measured: 9-10 MB (garbage of 20 000 requests not yet returned); without the bound it is the size of the text. */
const MAX_RSS_GROWTH_BYTES = 40 * 1024 * 1024;

let app: Server;
let destination: TestDestination;
let proxy: ProxyProcess;
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

beforeAll(async () => {
  app = createServer((_req, res) => res.end('x'));
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  destination = new TestDestination();
  await destination.start();
  proxy = await startProxyProcess({
    WEFT_PROXY_INBOUND_FORWARD_ADDR: `127.0.0.1:${(app.address() as AddressInfo).port}`,
    WEFT_PROXY_DESTINATION_ADDR: `127.0.0.1:${destination.port}`,
    // The test's destination speaks plaintext; the labels are what is tested here.
    WEFT_PROXY_CONTROL_PLANE_PLAINTEXT: 'true',
    WEFT_PROXY_METRICS_MAX_LABEL_VALUES: String(MAX_AUTHORITIES),
  });
});

afterAll(async () => {
  agent.destroy();
  await proxy?.kill();
  destination?.stop();
  app?.close();
});

/** Sends one GET per host, 16 at a time; the statuses seen, with their counts. */
async function sendEach(port: number, hosts: readonly string[]): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < hosts.length) {
      const host = hosts[next++] as string;
      const status = await new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port, agent, headers: { host } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
          .on('error', reject)
          .end();
      });
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return statuses;
}

const scrape = async () => (await fetch(`http://127.0.0.1:${proxy.listening.admin}/metrics`)).text();

/** The samples of `name` whose labels include every `want`, as [labels, value]. */
function samples(text: string, name: string, want: Record<string, string>): [string, number][] {
  const out: [string, number][] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labels = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(want).every(([k, v]) => labels.includes(`${k}="${v}"`)))
      out.push([labels, Number(line.slice(line.lastIndexOf(' ') + 1))]);
  }
  return out;
}

function distinct(rows: [string, number][], label: string): Set<string> {
  return new Set(rows.map(([labels]) => new RegExp(`(?:^|,)${label}="([^"]*)"`).exec(labels)?.[1] ?? ''));
}

const sum = (rows: [string, number][]) => rows.reduce((n, [, v]) => n + v, 0);
const rss = (text: string) => Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1]);

describe('metrics under distinct Host headers', () => {
  it(`keeps ${MAX_AUTHORITIES} inbound authorities for ${HOSTS} hosts, counts the rest as overflow, and stays small`, async () => {
    const inbound = proxy.listening.inbound;
    // Warm up: the process's size after its first requests is the baseline.
    expect(await sendEach(inbound, Array(500).fill('warm.test'))).toEqual({ 200: 500 });
    const before = rss(await scrape());

    const hosts = Array.from({ length: HOSTS }, (_, i) => `h${i}.example.test`);
    expect(await sendEach(inbound, hosts)).toEqual({ 200: HOSTS });

    const text = await scrape();
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_SCRAPE_BYTES);
    const requests = samples(text, 'request_total', { direction: 'inbound' });
    expect(sum(requests)).toBe(HOSTS + 500);
    const authorities = distinct(requests, 'authority');
    expect(authorities.size).toBe(MAX_AUTHORITIES + 1);
    expect(authorities).toContain('overflow');
    // warm.test and the first 99 hosts kept their own series.
    const overflowed = HOSTS - (MAX_AUTHORITIES - 1);
    expect(sum(samples(text, 'request_total', { direction: 'inbound', authority: 'overflow' }))).toBe(overflowed);
    expect(sum(samples(text, 'proxy_metrics_label_overflow_total', { direction: 'inbound', label: 'authority' }))).toBe(
      overflowed,
    );
    expect(rss(text) - before).toBeLessThan(MAX_RSS_GROWTH_BYTES);
  }, 180_000);

  it(`keeps ${MAX_AUTHORITIES} outbound authorities and route destinations for ${OUTBOUND_HOSTS} services`, async () => {
    const appPort = (app.address() as AddressInfo).port;
    const hosts = Array.from({ length: OUTBOUND_HOSTS }, (_, i) => `web.emojivoto.svc.cluster.local:${20_000 + i}`);
    for (const host of hosts) destination.set(host, [{ ip: '127.0.0.1', port: appPort }]);
    expect(await sendEach(proxy.listening.outbound, hosts)).toEqual({ 200: OUTBOUND_HOSTS });

    const text = await scrape();
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_SCRAPE_BYTES);
    const requests = samples(text, 'request_total', { direction: 'outbound' });
    expect(sum(requests)).toBe(OUTBOUND_HOSTS);
    // The transparent listener's own series (authority="") holds one of the values.
    const authorities = distinct(requests, 'authority');
    expect(authorities.size).toBeLessThanOrEqual(MAX_AUTHORITIES + 1);
    expect(authorities).toContain('overflow');
    const routes = samples(text, 'route_request_total', { direction: 'outbound' });
    expect(sum(routes)).toBe(OUTBOUND_HOSTS);
    expect(distinct(routes, 'dst').size).toBe(MAX_AUTHORITIES + 1);
    expect(
      sum(samples(text, 'proxy_metrics_label_overflow_total', { direction: 'outbound', label: 'authority' })),
    ).toBeGreaterThan(0);
  }, 180_000);

  it('serves text promtool accepts, apart from the unit lint on Linkerd latency names', async () => {
    expect(await promtoolProblems(await scrape())).toEqual([]);
  });
});
