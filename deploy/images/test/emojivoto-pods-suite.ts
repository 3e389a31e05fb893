import { join } from 'node:path';
import { identityName } from '@weft/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterImages, EmojivotoCluster } from './emojivoto-cluster.ts';
import type { RunningPod } from './kube-pod.ts';
import { DOMAIN } from './mesh-objects.ts';
import { podman, type TestStore, waitFor } from './podman.ts';

// emojivoto's four Deployments as injected pods, with identity and
// destination, on a pod network of the test's own; run inside the image
// test's suite, with the images it built. vote-bot is the load, as in
// emojivoto.yaml, at its own rate of about one vote a second.

/** Votes to observe: enough that the doughnut's share (15 % + 85 %/99 ≈ 15.9 %) shows within the bounds below. */
const VOTES = 60;
const OBSERVE_MS = 4 * 60_000;
const NS = 'emojivoto';
const id = (serviceAccount: string) => identityName(serviceAccount, NS, DOMAIN);
const fqdn = (service: string, port: number) => `${service}.${NS}.svc.cluster.local:${port}`;

/** The sum of a family's series whose labels include all of `labels`. */
function metric(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const set = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) sum += Number(line.split(' ').pop());
  }
  return sum;
}

/** What the pod's proxy reports on its admin port, at the pod's IP. */
const proxyMetrics = async (p: RunningPod) =>
  (await fetch(`http://${p.ip}:4191/metrics`, { signal: AbortSignal.timeout(5_000) })).text();

export function describeEmojivotoPods(store: () => TestStore | undefined, images: ClusterImages): void {
  describe('emojivoto as injected pods under podman', () => {
    let cluster: EmojivotoCluster | undefined;
    const pod = (name: string): RunningPod => {
      const found = cluster?.pods.get(name);
      if (!found) throw new Error(`no pod ${name}`);
      return found;
    };

    beforeAll(
      async () => {
        const s = store();
        if (!s) throw new Error('the images were not built');
        cluster = new EmojivotoCluster(
          s,
          `weft-images-test-${process.pid}`,
          join(s.dir, `cluster-${process.pid}`),
          images,
        );
        await cluster.start();
        // vote-bot's traffic, bounded by count rather than time: a slow machine only takes longer.
        const voting = pod('voting-0');
        await waitFor(
          async () => metric(await proxyMetrics(voting), 'response_total', { direction: 'inbound' }),
          (votes) => votes >= VOTES,
          OBSERVE_MS,
        );
      },
      5 * 60_000 + OBSERVE_MS,
    );

    afterAll(() => cluster?.close(), 2 * 60_000);

    it("starts every Deployment's pod injected: weft-init run to completion, then the proxy, then the app", async () => {
      const s = store() as TestStore;
      for (const [name, app] of [
        ['emoji-0', 'emoji-svc'],
        ['voting-0', 'voting-svc'],
        ['web-0', 'web-svc'],
        ['vote-bot-0', 'vote-bot'],
      ] as const) {
        const state = async (container: string) => {
          const format = '{{.State.Status}} {{.State.ExitCode}} {{.State.StartedAt.UnixNano}}';
          const { stdout } = await podman(s, ['inspect', '--format', format, `${pod(name).podmanName}-${container}`]);
          const [status, code, started] = stdout.trim().split(' ');
          return { status, code, started: BigInt(started ?? 0) };
        };
        const [init, proxy, main] = [await state('weft-init'), await state('weft-proxy'), await state(app)];
        expect([init.status, init.code], `${name} weft-init`).toEqual(['exited', '0']);
        expect(proxy.status, `${name} weft-proxy`).toBe('running');
        expect(main.status, `${name} ${app}`).toBe('running');
        expect(proxy.started > init.started && main.started > proxy.started, `${name} start order`).toBe(true);
        // Its rules, in the pod's own namespace: inbound to the proxy's 4143, outbound to its 4140.
        const { stdout: rules } = await podman(s, ['logs', `${pod(name).podmanName}-weft-init`]);
        expect(rules, name).toMatch(/-j REDIRECT --to-ports? 4143/);
        expect(rules, name).toMatch(/-j REDIRECT --to-ports? 4140/);
      }
    });

    it('carries every edge over mTLS, named by both identities, through the Services the apps dial by plain name', async () => {
      const s = store() as TestStore;
      // The apps' own configuration, unchanged: Service names, no proxy.
      const { stdout: env } = await podman(s, [
        'inspect',
        '--format',
        '{{json .Config.Env}}',
        `${pod('web-0').podmanName}-web-svc`,
      ]);
      expect(JSON.parse(env)).toEqual(
        expect.arrayContaining(['EMOJISVC_HOST=emoji-svc.emojivoto:8080', 'VOTINGSVC_HOST=voting-svc.emojivoto:8080']),
      );
      const edges = [
        {
          client: 'vote-bot-0',
          clientId: id('default'),
          server: 'web-0',
          serverId: id('web'),
          authority: fqdn('web-svc', 80),
        },
        {
          client: 'web-0',
          clientId: id('web'),
          server: 'emoji-0',
          serverId: id('emoji'),
          authority: fqdn('emoji-svc', 8080),
        },
        {
          client: 'web-0',
          clientId: id('web'),
          server: 'voting-0',
          serverId: id('voting'),
          authority: fqdn('voting-svc', 8080),
        },
      ];
      for (const e of edges) {
        // Counted by the client's outbound proxy under the Service's name: the
        // app's connection to the Service's virtual IP was redirected to it.
        const out = await proxyMetrics(pod(e.client));
        const outbound = { direction: 'outbound', authority: e.authority };
        expect(
          metric(out, 'response_total', { ...outbound, tls: 'true', server_id: e.serverId }),
          e.authority,
        ).toBeGreaterThan(0);
        expect(metric(out, 'response_total', outbound)).toBe(
          metric(out, 'response_total', { ...outbound, tls: 'true' }),
        );
        const inb = await proxyMetrics(pod(e.server));
        const inbound = { direction: 'inbound', client_id: e.clientId };
        expect(metric(inb, 'response_total', { ...inbound, tls: 'true' }), e.server).toBeGreaterThan(0);
      }
      // Nothing reached an app around its proxy or in plaintext.
      for (const name of ['web-0', 'emoji-0', 'voting-0']) {
        const inb = await proxyMetrics(pod(name));
        expect(metric(inb, 'response_total', { direction: 'inbound', tls: 'true' }), name).toBe(
          metric(inb, 'response_total', { direction: 'inbound' }),
        );
      }
    });

    it('fails the doughnut votes only: web about 92 % successful, voting about 84 %', async () => {
      const inbound = async (name: string) => {
        const text = await proxyMetrics(pod(name));
        const all = metric(text, 'response_total', { direction: 'inbound' });
        return { all, failed: metric(text, 'response_total', { direction: 'inbound', classification: 'failure' }) };
      };
      // Read after at least VOTES votes (beforeAll); web first, so voting has seen every vote web counted.
      const web = await inbound('web-0');
      const voting = await inbound('voting-0');
      // Each vote is a list and a vote at web; a doughnut vote fails at voting, and web answers it with a 500.
      expect(Math.abs(web.all - 2 * voting.all)).toBeLessThanOrEqual(4);
      expect(Math.abs(web.failed - voting.failed)).toBeLessThanOrEqual(2);
      const rates = { web: 1 - web.failed / web.all, voting: 1 - voting.failed / voting.all };
      console.log(
        `success over ${voting.all} votes: web ${(rates.web * 100).toFixed(1)} %, voting ${(rates.voting * 100).toFixed(1)} %`,
      );
      // Binomial tails of the doughnut's 15.9 % at 60 votes: outside by chance about once in two thousand runs.
      expect(rates.voting).toBeGreaterThan(0.66);
      expect(rates.voting).toBeLessThan(0.98);
      expect(rates.web).toBeGreaterThan(0.83);
      expect(rates.web).toBeLessThan(0.99);
    });
  });
}
