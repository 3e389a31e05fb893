import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueWorkloadCertificate } from '@weft/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalPlane, meshIdentity } from './support/local-plane.ts';

// An HTTPLocalRateLimitPolicy from the resource folder to a real proxy
// process (the proxy package's src/main.ts) watching its port's policy over
// mTLS, as the mesh's proxies do: the proxy answers 429 beyond the limit
// within a second of the file appearing.

const PROXY_MAIN = fileURLToPath(new URL('../../proxy/src/main.ts', import.meta.url));

let plane: LocalPlane;
let app: Server;
let appPort: number;
let proxy: ChildProcess;
let inbound: number;
let certDir = '';

const server = (port: number) => `
apiVersion: policy.weft.dev/v1beta3
kind: Server
metadata: { name: web-http, namespace: emojivoto }
spec:
  podSelector: { matchLabels: { app: web-svc } }
  port: ${port}
  proxyProtocol: HTTP/1
  accessPolicy: all-unauthenticated
`;

const LIMIT = `
apiVersion: policy.weft.dev/v1alpha1
kind: HTTPLocalRateLimitPolicy
metadata: { name: web-limit, namespace: emojivoto }
spec:
  targetRef: { group: policy.weft.dev, kind: Server, name: web-http }
  total: { requestsPerSecond: 5 }
  identity: { requestsPerSecond: 3 }
  overrides:
    - requestsPerSecond: 10
      clientRefs: [{ kind: ServiceAccount, name: vote-bot }]
`;

beforeAll(async () => {
  app = createServer((_req, res) => res.end('ok'));
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  appPort = (app.address() as AddressInfo).port;
  plane = await new LocalPlane().start({ 'server.yaml': server(appPort) });
  await plane.register({
    namespace: 'emojivoto',
    pod: 'web-0',
    deployment: 'web',
    serviceAccount: 'web',
    labels: { app: 'web-svc' },
    annotations: {},
    meshed: true,
  });
  // The proxy's certificate as files from the plane's CA (the identity service is tested elsewhere).
  certDir = await mkdtemp(join(tmpdir(), 'weft-rate-limit-'));
  const own = issueWorkloadCertificate(plane.ca.issuer, meshIdentity('web'));
  await writeFile(join(certDir, 'web.crt'), own.certChainPem);
  await writeFile(join(certDir, 'web.key'), own.keyPem);
  proxy = spawn(process.execPath, [PROXY_MAIN], {
    env: {
      PATH: process.env.PATH,
      WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
      WEFT_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
      WEFT_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
      WEFT_PROXY_INBOUND_FORWARD_ADDR: `127.0.0.1:${appPort}`,
      WEFT_PROXY_DESTINATION_ADDR: `127.0.0.1:${plane.cp.grpcPort}`,
      WEFT_PROXY_DESTINATION_SVC_NAME: plane.cfg.identity?.name ?? '',
      WEFT_PROXY_IDENTITY_LOCAL_NAME: meshIdentity('web'),
      WEFT_PROXY_IDENTITY_TRUST_ANCHORS: plane.ca.trustAnchorsPem,
      WEFT_PROXY_IDENTITY_CERT_FILE: join(certDir, 'web.crt'),
      WEFT_PROXY_IDENTITY_KEY_FILE: join(certDir, 'web.key'),
      WEFT_PROXY_POLICY_WORKLOAD: JSON.stringify({ ns: 'emojivoto', pod: 'web-0' }),
      WEFT_PROXY_SHUTDOWN_GRACE_PERIOD: '1s',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proxy.stderr?.on('data', (c) => {
    log += c;
  });
  const deadline = Date.now() + 15_000;
  while (!log.includes('"listening"')) {
    if (Date.now() > deadline || proxy.exitCode !== null) throw new Error(`proxy did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  inbound = JSON.parse(log.split('\n').find((l) => l.includes('"listening"')) as string).inbound;
});

afterAll(async () => {
  proxy?.kill('SIGTERM');
  if (proxy && proxy.exitCode === null) await once(proxy, 'exit');
  await plane?.stop();
  app?.close();
  if (certDir) await rm(certDir, { recursive: true, force: true });
});

/** Statuses of `n` requests sent at once. */
const burst = (n: number) =>
  Promise.all(
    Array.from({ length: n }, () =>
      fetch(`http://127.0.0.1:${inbound}/`).then(async (r) => {
        await r.text();
        return r.status;
      }),
    ),
  );

describe('HTTPLocalRateLimitPolicy', () => {
  it('reaches the proxy, which answers 429 beyond the limit within a second', async () => {
    // The Server's policy is in force (no limit yet): a burst passes.
    const deadline = Date.now() + 5000;
    while ((await burst(8)).some((s) => s !== 200))
      if (Date.now() > deadline) throw new Error('the unlimited policy never allowed a burst');

    await plane.write('limit.yaml', LIMIT);
    const written = Date.now();
    let statuses: number[] = [];
    while (!statuses.includes(429)) {
      if (Date.now() - written > 1000) throw new Error(`no 429 within 1 s: ${statuses}`);
      statuses = await burst(8);
    }
    // In a fresh one-second window, plaintext clients share one identity's budget: 3 of 8 pass.
    // The proxy counts whole seconds of the clock this process reads too. A burst that a busy
    // machine spreads over two windows says nothing, so it is sent again in the next window.
    let inOneWindow: number[] | undefined;
    for (let window = 0; window < 5 && !inOneWindow; window++) {
      await new Promise((r) => setTimeout(r, 1010 - (Date.now() % 1000)));
      const sentAt = Date.now();
      const got = await burst(8);
      if (Math.floor(Date.now() / 1000) === Math.floor(sentAt / 1000)) inOneWindow = got;
    }
    expect(inOneWindow?.sort()).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);

    const watch = plane.watchPort('emojivoto', 'web-0', appPort);
    expect((await watch.next()).protocol?.http1?.localRateLimit).toEqual({
      totalRps: 5,
      identityRps: 3,
      overrides: [{ rps: 10, identities: ['vote-bot.emojivoto.serviceaccount.identity.weft.cluster.local'] }],
    });
    watch.cancel();
  });
});
