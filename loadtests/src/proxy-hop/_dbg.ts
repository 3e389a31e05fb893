import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad } from '../lib/http-load.ts';
import { startNode, stopAll } from '../lib/processes.ts';
import { makeCa, makeLeaf } from './certs.ts';

const dir = mkdtempSync(join(tmpdir(), 'weft-dbg-'));
const ca = makeCa(dir);
const SERVER_ID = 'bench-server.bench.serviceaccount.identity.weft-system.cluster.local';
const server = makeLeaf(dir, 'server', SERVER_ID);
const client = makeLeaf(dir, 'client', 'bench-client.bench.serviceaccount.identity.weft-system.cluster.local');
const caPem = execFileSync('cat', [ca], { encoding: 'utf8' });
const backend = await startNode(
  new URL('./backend.ts', import.meta.url).pathname,
  [],
  {},
  /backend listening on port (\d+)/,
);
const main = '/work/main/packages/proxy/src/main.ts';
const prof = process.env.PROF ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.PROF}` } : {};
const proxyEnv = (leaf: typeof server) => ({
  ...prof,
  WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
  WEFT_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
  WEFT_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
  WEFT_PROXY_IDENTITY_LOCAL_NAME: leaf.identity,
  WEFT_PROXY_IDENTITY_TRUST_ANCHORS: caPem,
  WEFT_PROXY_IDENTITY_CERT_FILE: leaf.cert,
  WEFT_PROXY_IDENTITY_KEY_FILE: leaf.key,
});
const inbound = await startNode(
  main,
  [],
  { ...proxyEnv(server), WEFT_PROXY_INBOUND_FORWARD_ADDR: `127.0.0.1:${backend.captured}` },
  /"inbound":(\d+)/,
);
const destination = await startNode(
  '/work/main/packages/proxy/bench/destination.ts',
  [],
  { WEFT_BENCH_AUTHORITY: 'a.b.svc:80', WEFT_BENCH_ENDPOINTS: `127.0.0.1:${inbound.captured}=${SERVER_ID}` },
  /destination listening on port (\d+)/,
);
const outbound = await startNode(
  main,
  [],
  {
    ...proxyEnv(client),
    WEFT_PROXY_DESTINATION_ADDR: `127.0.0.1:${destination.captured}`,
    WEFT_PROXY_OUTBOUND_UPSTREAMS: 'a.b.svc:80=127.0.0.1:0',
  },
  /"upstreams":\{"[^"]+":(\d+)\}/,
);
const adminOut = /"admin":(\d+)/.exec(JSON.stringify(''));
for (const url of [
  `http://127.0.0.1:${backend.captured}/`,
  `http://127.0.0.1:${inbound.captured}/`,
  `http://127.0.0.1:${outbound.captured}/`,
]) {
  const r = await runLoad({ connections: 32, durationMs: 4000, url, maxRequests: 1e6 });
  console.log(url, Math.round(r.requestsPerSecond), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), [...r.statuses]);
}
await stopAll([outbound.child, inbound.child, destination.child, backend.child]);
