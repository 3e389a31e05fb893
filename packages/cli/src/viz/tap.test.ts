import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  status,
} from '@grpc/grpc-js';
import { identityName, issueWorkloadCertificate } from '@weft/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, startMesh } from '../../../proxy/test/support/mesh.ts';
import { startViz, type VizServer } from './server.ts';
import { runCli } from './testing/run-cli.ts';

// `weft tap deploy/web` against a real proxy pair with tap enabled, found
// through the viz inventory: the doughnut vote in Linkerd's text format,
// ending with grpc-status=Unknown; a CLI with another identity is refused.

const raw = (b: Buffer) => b;
const service = {
  voteDoughnut: {
    path: '/emojivoto.v1.VotingService/VoteDoughnut',
    requestStream: false,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  },
} as unknown as ServiceDefinition;
const DOMAIN = { trustDomain: 'cluster.local', controlPlaneNamespace: 'weft-system' };
const CLI_ID = identityName('weft-cli', 'weft-system', DOMAIN);

let grpc: Server;
let mesh: Mesh;
let viz: VizServer;
let dir: string;
// biome-ignore lint/suspicious/noExplicitAny: grpc-js generic clients are untyped
let client: any;

async function certFiles(sa: string): Promise<Record<string, string>> {
  const cert = issueWorkloadCertificate(mesh.ca.issuer, identityName(sa, 'weft-system', DOMAIN));
  await writeFile(join(dir, `${sa}.crt`), cert.certChainPem);
  await writeFile(join(dir, `${sa}.key`), cert.keyPem);
  return {
    WEFT_API_ADDR: viz.address,
    WEFT_TAP_CERT_FILE: join(dir, `${sa}.crt`),
    WEFT_TAP_KEY_FILE: join(dir, `${sa}.key`),
  };
}

beforeAll(async () => {
  grpc = new Server();
  grpc.addService(service, {
    // biome-ignore lint/suspicious/noExplicitAny: untyped handler
    voteDoughnut: (_c: unknown, cb: any) => cb({ code: status.UNKNOWN, details: 'ERROR' }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    grpc.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  mesh = await startMesh(port, {
    WEFT_PROXY_TAP_AUTHORIZED_IDENTITY: CLI_ID,
    WEFT_PROXY_TAP_LISTEN_ADDR: '127.0.0.1:0',
  });
  dir = await mkdtemp(join(tmpdir(), 'weft-tap-'));
  await writeFile(join(dir, 'ca.crt'), mesh.ca.trustAnchorsPem);
  viz = await startViz({ stateDir: dir, recorder: { intervalMs: 60_000 } });
  viz.setMesh({ trustAnchorsFile: join(dir, 'ca.crt') });
  const addr = (port: number | undefined) => `127.0.0.1:${port}`;
  viz.registerWorkload({
    namespace: 'emojivoto',
    deployment: 'web',
    pod: 'web-0',
    services: ['web-svc'],
    serviceAccount: 'web',
    identity: mesh.clientIdentity,
    adminAddr: addr(mesh.client.addresses?.admin.port),
    inboundAddr: addr(mesh.client.addresses?.inbound.port),
    tapAddr: addr(mesh.client.addresses?.tap?.port),
  });
  const Client = makeGenericClientConstructor(service, 'VotingService');
  client = new Client(`127.0.0.1:${mesh.upstreamPort}`, credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await viz.close();
  await mesh.close();
  grpc.forceShutdown();
  await rm(dir, { recursive: true, force: true });
});

describe('weft tap', () => {
  it('prints the doughnut vote in Linkerd format, ending with grpc-status=Unknown', async () => {
    const env = await certFiles('weft-cli');
    const run = runCli(
      ['tap', 'deploy/web', '-n', 'emojivoto', '--path', '/emojivoto.v1.VotingService/', '--max-events', '3'],
      env,
    );
    const tap = mesh.client.observers.tap;
    const deadline = Date.now() + 3000;
    while (!tap?.active && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((resolve) => client.voteDoughnut(Buffer.alloc(0), new Metadata(), resolve));
    const { code, stdout, stderr } = await run;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [req, rsp, end] = stdout.trim().split('\n');
    expect(req).toMatch(
      /^req id=\d+:\d+ proxy=out src=127\.0\.0\.1:\d+ dst=127\.0\.0\.1:\d+ tls=true :method=POST :authority=127\.0\.0\.1:\d+ :path=\/emojivoto\.v1\.VotingService\/VoteDoughnut$/,
    );
    expect(rsp).toMatch(/^rsp id=\S+ proxy=out .* :status=200 latency=\d+µs$/);
    expect(end).toMatch(/^end id=\S+ proxy=out .* grpc-status=Unknown duration=\d+µs response-length=\d+B$/);
  });

  it('weft top taps the proxies: method, path, count and the doughnut at 0% success', async () => {
    const env = await certFiles('weft-cli');
    const run = runCli(['top', 'deploy/web', '-n', 'emojivoto', '--once', '-t', '1s'], env);
    const tap = mesh.client.observers.tap;
    const deadline = Date.now() + 3000;
    while (!tap?.active && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => client.voteDoughnut(Buffer.alloc(0), new Metadata(), resolve));
    }
    const { code, stdout, stderr } = await run;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('(from tap of 1 proxy)');
    expect(lines[1]).toMatch(/^Source\s+Destination\s+Method\s+Path\s+Count\s+Best\s+Worst\s+Last\s+Success Rate$/);
    expect(lines[2]).toMatch(
      /^deploy\/web\s+emoji\s+POST\s+\/emojivoto\.v1\.VotingService\/VoteDoughnut\s+3\s+\S+\s+\S+\s+\S+\s+0\.00%$/,
    );
  });

  it('is refused with any other identity', async () => {
    const { code, stderr } = await runCli(['tap', 'deploy/web', '-n', 'emojivoto'], await certFiles('web'));
    expect(code).toBe(1);
    expect(stderr).toMatch(/tap refused \(403\).*may not tap this proxy \(WEFT_CLI_TAP\)/);
  });
});
