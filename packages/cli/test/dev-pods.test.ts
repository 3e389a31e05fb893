import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePromText } from '../src/metrics/prom-text.ts';
import { APP_UID, podCommand } from '../src/pods/pod-command.ts';
import { runFilesDir } from '../src/pods/pod-files.ts';
import { DEFAULT_STATE_DIR } from '../src/pods/run-state.ts';
import { cleanupStaleRuns } from '../src/pods/teardown.ts';
import { id, type StatRow, tolerance, VOTE_SUCCESS, windowSeconds } from './support/emojivoto-rates.ts';
import { leftovers } from './support/pods.ts';
import { alive, childrenOf } from './support/processes.ts';
import { WeftDev } from './support/weft-dev.ts';

// `sudo weft dev --pods` as a user starts it (CI runs as root): emojivoto and
// three Deployments of the test's own in network namespaces, the apps
// configured with plain service addresses. Traffic stays between the run's
// pods and the host's end of its bridge, and is bounded: the bot at 20 votes
// a second for some 15 s, and a handful of connections made by the test.

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SERVERS = fileURLToPath(new URL('./support/pod-servers.ts', import.meta.url));
const CLIENT = fileURLToPath(new URL('./support/pod-client.ts', import.meta.url));

/** The test's own workloads, as their manifests would declare them: the runner reads Deployments from the folder. */
const SHOP = `
apiVersion: v1
kind: Service
metadata: { name: echo, namespace: shop }
spec:
  selector: { app: echo }
  ports: [{ name: tcp, port: 7000, targetPort: 7000 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: echo, namespace: shop }
spec:
  template:
    metadata:
      labels: { app: echo }
      annotations: { config.weft.dev/opaque-ports: "7000" }
    spec:
      serviceAccountName: echo
      containers:
        - name: echo
          command: [node, ${SERVERS}, echo, "7000"]
          ports: [{ containerPort: 7000 }]
---
apiVersion: v1
kind: Service
metadata: { name: two-ports, namespace: shop }
spec:
  selector: { app: two-ports }
  ports: [{ name: http, port: 80, targetPort: 8080 }, { name: admin, port: 81, targetPort: 9090 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: two-ports, namespace: shop }
spec:
  template:
    metadata:
      labels: { app: two-ports }
      # Only meshed, authenticated clients: the unmeshed pod is refused here.
      annotations: { config.weft.dev/default-inbound-policy: all-authenticated }
    spec:
      serviceAccountName: two-ports
      containers:
        - name: two-ports
          command: [node, ${SERVERS}, ports, "8080", "9090"]
          ports: [{ containerPort: 8080 }, { containerPort: 9090 }]
          readinessProbe: { httpGet: { path: /, port: 8080 } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: outsider, namespace: shop }
spec:
  template:
    metadata:
      labels: { app: outsider }
      annotations: { weft.dev/inject: disabled }
    spec:
      containers:
        - name: outsider
          command: [sleep, "600"]
`;

interface PodRun {
  readonly run: string;
  readonly address: (workload: string) => string;
  readonly netns: (workload: string) => string;
}

/** The run id and each pod's address, from what weft dev printed. */
function podRun(output: string): PodRun {
  const run = /pods network ([0-9a-f]{6})/.exec(output)?.[1] ?? '';
  const address = (workload: string) =>
    new RegExp(`pod [a-z]+/${workload}-0: ([\\d.]+)`).exec(output)?.[1] ?? `(no address for ${workload})`;
  return { run, address, netns: (workload) => `weft-${run}-${workload}` };
}

const clients = new Set<ChildProcess>();

/** Runs pod-client.ts in `netns` as an app there would run (APP_UID) and resolves with its one line. */
function fromPod<T>(netns: string, ...args: string[]): Promise<T> {
  const { command, args: argv } = podCommand(netns, [process.execPath, CLIENT, ...args], { uid: APP_UID });
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  clients.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.once('close', () => {
      clients.delete(child);
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(new Error(`pod-client ${args.join(' ')} printed ${JSON.stringify(out)}: ${err}`));
      }
    });
  });
}

interface HttpResult {
  status?: number;
  body?: string;
  error?: string;
}

let dev: WeftDev | undefined;
let resources = '';

afterEach(async () => {
  for (const child of clients) child.kill('SIGKILL');
  const run = dev ? podRun(dev.output).run : '';
  await dev?.dispose();
  dev = undefined;
  // A run whose runner was killed is a dead run: remove it as the next start would, whatever failed above.
  cleanupStaleRuns(DEFAULT_STATE_DIR, () => {});
  if (resources) rmSync(resources, { recursive: true, force: true });
  resources = '';
  if (run) expect(leftovers(run)).toEqual([]);
}, 60_000);

describe('weft dev --pods', () => {
  it('runs emojivoto and the folder’s Deployments in pods: mTLS edges, success rates, Services by virtual IP, policy, nothing left after SIGINT', async () => {
    resources = mkdtempSync(join(tmpdir(), 'weft-dev-pods-'));
    cpSync(join(REPO, 'deploy/local/resources'), resources, { recursive: true });
    writeFileSync(join(resources, 'shop.yaml'), SHOP);
    // Apps export spans every 100 ms, so a vote's trace is whole soon after it ends.
    dev = new WeftDev(['--pods', '--resources', resources, '--ready-timeout', '60'], {
      REQUEST_RATE: '20',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    const mesh = dev;
    const url = await mesh.url;
    // The pods' addresses follow the URL.
    await mesh.printed(/press Ctrl-C to stop/);
    const pods = podRun(mesh.output);
    expect(pods.run).toMatch(/^[0-9a-f]{6}$/);
    const children = childrenOf(mesh.pid);
    // identity, control plane; six meshed pods of app + sidecar; the outsider's app alone.
    expect(children).toHaveLength(2 + 6 * 2 + 1);

    // The browser's URL is web's pod address: its sidecar takes the connection (proxy-init's rule) and hands it to web.
    expect(url).toBe(`http://${pods.address('web')}:8080`);
    const list = await fetch(`${url}/api/list`);
    expect(list.headers.get('weft-proxy-error')).toBeNull();
    expect((await list.json()) as unknown[]).toHaveLength(99);

    // An unmeshed pod (no proxy-init, no sidecar) reaches a meshed one in plaintext under the default policy...
    const plain = await fromPod<HttpResult>(
      pods.netns('outsider'),
      'http',
      `http://${pods.address('web')}:8080/api/list`,
    );
    expect(plain.status).toBe(200);
    // ...and is refused by a pod whose policy is all-authenticated, on each of its ports.
    for (const port of [8080, 9090]) {
      const refused = await fromPod<HttpResult>(
        pods.netns('outsider'),
        'http',
        `http://${pods.address('two-ports')}:${port}/`,
      );
      expect(refused.status === 403 || refused.error !== undefined, JSON.stringify(refused)).toBe(true);
      expect(refused.body ?? '').not.toContain('port');
    }

    // What the workshop asks of emojivoto: its success rates, read once the bot has voted enough on this
    // busy machine (at 20 a second, some 15 s; polled, up to 90 s), and every edge mTLS between the right identities.
    const stat = async () => {
      const rows = new Map(
        (await mesh.json<StatRow[]>('stat', 'deploy', '-n', 'emojivoto', '-t', '1m')).map((r) => [r.name, r]),
      );
      const votes = (rows.get('voting')?.rps ?? 0) * windowSeconds(rows.get('voting')?.time_window ?? '');
      return { rows, votes };
    };
    let { rows, votes } = await stat();
    for (const end = Date.now() + 90_000; votes < 200 && Date.now() < end; { rows, votes } = await stat()) {
      await sleep(2000);
    }
    expect(votes).toBeGreaterThan(100);
    expect(rows.get('emoji')?.success).toBe(1);
    expect(Math.abs((rows.get('voting')?.success ?? 0) - VOTE_SUCCESS)).toBeLessThan(tolerance(VOTE_SUCCESS, votes));
    expect(Math.abs((rows.get('web')?.success ?? 0) - (1 + VOTE_SUCCESS) / 2)).toBeLessThan(
      tolerance(VOTE_SUCCESS, votes) / 2,
    );
    const edges = await mesh.json<
      { src: string; dst: string; secured: boolean; client_id: string; server_id: string }[]
    >('edges', 'deploy', '-n', 'emojivoto');
    const byPair = new Map(edges.map((e) => [`${e.src}->${e.dst}`, e]));
    for (const [pair, client, server] of [
      ['vote-bot->web', 'default', 'web'],
      ['web->emoji', 'web', 'emoji'],
      ['web->voting', 'web', 'voting'],
    ] as const) {
      expect(byPair.get(pair)).toMatchObject({ secured: true, client_id: id(client), server_id: id(server) });
    }

    // The workshop's other views read the pods: every check passes (proxies ready and scraped at their pod
    // addresses, certificates chaining to the anchors), and tap reaches voting's sidecar at its pod.
    const check = await mesh.json<{ success: boolean; categories: { checks: { result: string }[] }[] }>('check');
    expect(check.categories.flatMap((c) => c.checks).filter((c) => c.result !== 'success')).toEqual([]);
    expect(check.success).toBe(true);
    const tap = await mesh.weft('tap', 'deploy/voting', '-n', 'emojivoto', '--max-events', '2', '-o', 'json');
    const event = JSON.parse(tap.stdout.trim().split('\n')[0] as string) as {
      type: string;
      tls: boolean;
      clientId: string;
    };
    expect(event).toMatchObject({ type: 'req', tls: true, clientId: id('web') });

    // A meshed app reaches an app serving two ports through its Service's name, on both ports, over mTLS.
    for (const [port, target] of [
      [80, 8080],
      [81, 9090],
    ] as const) {
      const answer = await fromPod<HttpResult>(pods.netns('web'), 'http', `http://two-ports.shop:${port}/`);
      expect(answer).toMatchObject({ status: 200, body: `port ${target}` });
    }

    // Opaque TCP from one pod to another through the Service's virtual IP (the name resolves to it).
    const text = `hello through the mesh ${pods.run}`;
    expect(await fromPod(pods.netns('web'), 'tcp', 'echo.shop', '7000', text)).toEqual({ reply: text });
    const echoMetrics = parsePromText(await (await fetch(`http://${pods.address('echo')}:4191/metrics`)).text()).filter(
      (s) => s.labels.direction === 'inbound' && s.labels.client_id === id('web'),
    );
    const opened = echoMetrics.find((s) => s.name === 'tcp_open_total' && s.labels.tls === 'true');
    expect(opened?.value).toBeGreaterThanOrEqual(1);
    const read = echoMetrics.find((s) => s.name === 'tcp_read_bytes_total' && s.labels.tls === 'true');
    expect(read?.value).toBeGreaterThanOrEqual(text.length);

    // The apps send their spans to the viz server on the host through their own sidecars, as a pod's app
    // reaches a collector: one vote's trace holds every app and sidecar on its way (polled, up to 20 s).
    const hops = ['vote-bot', 'vote-bot-proxy', 'web', 'web-proxy', 'voting-proxy', 'voting'];
    const whole = async () =>
      (await mesh.json<{ services: string[] }[]>('trace', '--limit', '200')).some((t) =>
        hops.every((h) => t.services.includes(h)),
      );
    let traced = await whole();
    for (const end = Date.now() + 20_000; !traced && Date.now() < end; traced = await whole()) await sleep(500);
    expect(traced).toBe(true);

    expect(await mesh.stop('SIGINT')).toBe(0);
    expect(children.filter(alive)).toEqual([]);
    expect(leftovers(pods.run)).toEqual([]);
    expect(existsSync(join(DEFAULT_STATE_DIR, `${pods.run}.json`))).toBe(false);
    expect(existsSync(runFilesDir(pods.run))).toBe(false);
  }, 240_000);

  it('says in one line why it cannot make pods when not root, and runs the mesh on loopback instead', async () => {
    dev = new WeftDev(['--pods', '--no-bot'], {}, mkdtempSync(join(tmpdir(), 'weft-dev-pods-user-')), APP_UID);
    const mesh = dev;
    expect(await mesh.url).toMatch(/^http:\/\/localhost:\d+$/);
    const said = mesh.output.split('\n').filter((line) => line.includes('--pods'));
    expect(said).toEqual([
      `[dev] --pods: pods create network namespaces, a bridge and iptables rules: run as root (uid is ${APP_UID}) (WEFT_CLI_PODS_NOT_ROOT); running the mesh on loopback instead`,
    ]);
    expect(mesh.output).not.toContain('pods network');
    expect(await mesh.stop('SIGINT')).toBe(0);
  }, 120_000);

  it('restarts an app killed in its pod, and takes every process of its pods with it when it is SIGKILLed, and leaves the network for the next start to remove', async () => {
    dev = new WeftDev(['--pods', '--no-bot']);
    const mesh = dev;
    await mesh.url;
    await mesh.printed(/press Ctrl-C to stop/);
    const pods = podRun(mesh.output);
    // An app killed in its pod is started again there, as in loopback mode, and registered again.
    const emoji = childrenOf(mesh.pid).find((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('emoji/main.ts'),
    );
    process.kill(emoji as number, 'SIGKILL');
    await mesh.printed(/\[dev\] √ emoji-0 registered again/, 60_000);
    expect(mesh.output).toContain('[dev] emoji exited (killed by SIGKILL); restart 1 in 0.5s');
    expect((await fetch(`${await mesh.url}/api/list`)).status).toBe(200);

    const children = childrenOf(mesh.pid);
    // identity, control plane, and emoji, voting and web as app + sidecar.
    expect(children).toHaveLength(2 + 3 * 2);
    await mesh.stop('SIGKILL');
    // The lifeline reaches the apps and sidecars through ip netns exec and setpriv.
    for (const end = Date.now() + 20_000; children.some(alive) && Date.now() < end; ) await sleep(100);
    expect(children.filter(alive)).toEqual([]);
    expect(existsSync(join(DEFAULT_STATE_DIR, `${pods.run}.json`))).toBe(true);
    // What the next start does first (pods-leftovers.test.ts shows a start doing it).
    expect(cleanupStaleRuns(DEFAULT_STATE_DIR, () => {})).toContain(pods.run);
    expect(leftovers(pods.run)).toEqual([]);
    expect(existsSync(runFilesDir(pods.run))).toBe(false);
  }, 180_000);
});
