// Certificates issued per second over real gRPC and TLS, against raw ECDSA
// P-256 signatures per second measured in the same run on the same machine.
// The identity service runs as its own process (src/main.ts), as deployed;
// this process is the load: one key, one CSR, many concurrent Certify calls.
//
//   pnpm --filter @weft/identity bench        (writes docs/benchmarks-identity.md)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, sign } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createIssuer, createTrustAnchor } from '../src/ca/authority.ts';
import { createCsr, parseCsr } from '../src/ca/csr.ts';
import { Issuer } from '../src/ca/issuer.ts';
import { generateP256KeyPair } from '../src/ca/keys.ts';
import { DEFAULT_CONTROL_PLANE_NAMESPACE, DEFAULT_TRUST_DOMAIN, identityName } from '../src/ca/names.ts';
import { openCertifyChannel } from '../src/client/certify-rpc.ts';
import { identityServiceName } from '../src/server/self-certificate.ts';
import { createLocalTokenKey, mintLocalToken } from '../src/tokens/local-token.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const CHANNELS = 4;
const DOMAIN = { trustDomain: DEFAULT_TRUST_DOMAIN, controlPlaneNamespace: DEFAULT_CONTROL_PLANE_NAMESPACE };
const IDENTITY = identityName('web', 'emojivoto', DOMAIN);

/** Runs `fn` repeatedly for `ms` and returns calls per second. */
function rate(ms: number, fn: () => void): number {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  return (n * 1000) / (performance.now() - start);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

async function startService(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, '../src/main.ts')], {
    env: {
      PATH: process.env.PATH,
      WEFT_IDENTITY_LISTEN_ADDR: '127.0.0.1:0',
      WEFT_IDENTITY_ADMIN_ADDR: '127.0.0.1:0',
      WEFT_IDENTITY_ISSUER_DIR: dir,
      WEFT_IDENTITY_TOKEN_MODE: 'local',
      WEFT_IDENTITY_LOCAL_TOKEN_KEY_FILE: join(dir, 'token.key'),
    },
    // The service logs one line per certificate; at this rate that is the
    // bottleneck being measured only if we read it, so it goes to /dev/null
    // after the listening line.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
  for await (const line of lines) {
    const port = /msg="identity service listening".* address=[\d.]+:(\d+)/.exec(line)?.[1];
    if (port) {
      lines.close();
      child.stderr?.resume();
      return { child, port: Number(port) };
    }
  }
  throw new Error('identity service exited before listening');
}

async function main(): Promise<void> {
  const anchor = createTrustAnchor();
  const issuerCa = createIssuer(anchor);
  const issuer = Issuer.fromPem({
    certPem: issuerCa.certPem,
    keyPem: issuerCa.keyPem,
    trustAnchorsPem: anchor.certPem,
  });
  const { privateKey } = generateP256KeyPair();
  const csr = createCsr(IDENTITY, privateKey);

  // Baselines: what one core does with the same primitives, no network.
  const tbsLike = createHash('sha256').update('x').digest().subarray(0, 32);
  const payload = Buffer.concat(Array.from({ length: 12 }, () => tbsLike));
  const signsPerSecond = rate(2000, () => sign('sha256', payload, privateKey));
  const inProcessPerSecond = rate(2000, () => {
    const parsed = parseCsr(csr);
    issuer.issue({ identity: IDENTITY, subjectPublicKeyInfo: parsed.subjectPublicKeyInfo });
  });

  const dir = await mkdtemp(join(tmpdir(), 'weft-identity-bench-'));
  const key = createLocalTokenKey();
  await writeFile(join(dir, 'ca.crt'), anchor.certPem);
  await writeFile(join(dir, 'issuer.crt'), issuerCa.certPem);
  await writeFile(join(dir, 'issuer.key'), issuerCa.keyPem);
  await writeFile(join(dir, 'token.key'), key.toString('hex'));
  const { child, port } = await startService(dir);
  const channels = Array.from({ length: CHANNELS }, () =>
    openCertifyChannel({
      address: `127.0.0.1:${port}`,
      trustAnchorsPem: anchor.certPem,
      serverIdentity: identityServiceName(DOMAIN),
    }),
  );
  const request = {
    identity: IDENTITY,
    token: Buffer.from(mintLocalToken({ identity: IDENTITY, key })),
    certificateSigningRequest: csr,
  };
  try {
    // Warm-up: connections, JIT.
    await Promise.all(channels.map((c) => c.certify(request, 10_000)));
    const latencies: number[] = [];
    let errors = 0;
    const deadline = performance.now() + SECONDS * 1000;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, i) => {
        const channel = channels[i % CHANNELS] as (typeof channels)[number];
        while (performance.now() < deadline) {
          const t = performance.now();
          try {
            await channel.certify(request, 10_000);
            latencies.push(performance.now() - t);
          } catch {
            errors++;
          }
        }
      }),
    );
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    const perSecond = latencies.length / elapsed;
    await report({
      signsPerSecond,
      inProcessPerSecond,
      perSecond,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      errors,
      elapsed,
    });
  } finally {
    for (const c of channels) c.close();
    child.kill('SIGTERM');
    await once(child, 'exit');
    await rm(dir, { recursive: true, force: true });
  }
}

interface Figures {
  signsPerSecond: number;
  inProcessPerSecond: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  elapsed: number;
}

async function report(f: Figures): Promise<void> {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  // `nproc` counts the CPUs this process may use, which is what the figures depend on.
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  const [load1 = 0] = loadavg();
  const date = new Date().toISOString();
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const ratio = (x: number) => `${((100 * x) / f.signsPerSecond).toFixed(1)} %`;
  const rows = [
    `| Raw ECDSA P-256 signatures (baseline, one core) | ${n(f.signsPerSecond)}/s | 100 % |`,
    `| Parse + verify CSR, build + sign leaf, in process (one core) | ${n(f.inProcessPerSecond)}/s | ${ratio(f.inProcessPerSecond)} |`,
    `| **Certify over gRPC + TLS 1.3, service in its own process** | **${n(f.perSecond)}/s** | ${ratio(f.perSecond)} |`,
  ];
  const text = `# Identity benchmark: certificates issued per second

Measured by \`pnpm --filter @weft/identity bench\` (packages/identity/bench/certify-throughput.ts).
The identity service runs as its own process (\`src/main.ts\`, local token mode,
one log line per certificate to a pipe); the benchmark process holds ${CHANNELS}
gRPC channels and keeps ${CONCURRENCY} Certify calls in flight for ${SECONDS} s. Each call carries
a real CSR and token, and the service verifies both and signs a fresh leaf.

- Date: ${date}
- Machine: ${nproc} CPUs (\`nproc\`), ${cpu}; Node ${process.version}
- Load average (1 min) as the report was written: ${load1.toFixed(2)}. The machine is shared, so figures vary between runs.

| What | Rate | vs. baseline |
|---|---:|---:|
${rows.join('\n')}

Certify latency with ${CONCURRENCY} in flight: p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms;
${f.errors} errors in ${f.elapsed.toFixed(1)} s.

Each certificate costs two ECDSA operations (verify the CSR, sign the leaf); a
verify costs several signatures, which is why the in-process rate is a fraction
of the raw signature rate. The gap between in-process and over-gRPC is gRPC,
HTTP/2 and TLS on a machine whose ${nproc} cores the load generator shares.
`;
  const out = join(import.meta.dirname, '../../../docs/benchmarks-identity.md');
  await writeFile(out, text);
  process.stdout.write(
    `${rows.join('\n')}\np50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, errors ${f.errors}\nwrote ${out}\n`,
  );
}

await main();
