import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDestinationApi, loadRegistrationApi } from '@weft/api';
import { promtoolProblems } from '@weft/api/testing/promtool';
import {
  createLocalTokenKey,
  createMeshCa,
  type IdentityServer,
  identityName,
  issueWorkloadCertificate,
  localTokenValidator,
  mintLocalToken,
  silentLogger,
  startIdentityServer,
  staticIssuer,
} from '@weft/identity';
import { afterEach, describe, expect, it } from 'vitest';
import { meshChannel } from './support/local-plane.ts';
import { StreamReader } from './support/stream.ts';

const MAIN = new URL('../src/main.ts', import.meta.url).pathname;

function run(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  listening: Promise<{ grpc: number; admin: number }>;
} {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let out = '';
  const listening = new Promise<{ grpc: number; admin: number }>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      out += d;
      const m = /"grpc":"[^"]*:(\d+)","admin":"[^"]*:(\d+)"/.exec(out);
      if (m) resolve({ grpc: Number(m[1]), admin: Number(m[2]) });
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
  return { child, output: () => out, listening };
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', resolve));

/** The local addresses listening on `port`, from the kernel's own table (/proc/net/tcp and tcp6). */
async function listeningAddresses(port: number): Promise<string[]> {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const table = await readFile(file, 'utf8').catch(() => '');
    for (const line of table.split('\n').slice(1)) {
      const [, local = '', , state] = line.trim().split(/\s+/);
      const [hexHost = '', hexPort = ''] = local.split(':');
      if (state !== '0A' || Number.parseInt(hexPort, 16) !== port) continue;
      found.push(
        hexHost.length === 8
          ? (hexHost.match(/../g) ?? [])
              .map((b) => Number.parseInt(b, 16))
              .reverse()
              .join('.')
          : `ipv6 ${hexHost}`,
      );
    }
  }
  return found;
}

const DOMAIN = { trustDomain: 'example.org', controlPlaneNamespace: 'weft-system' };
const CONTROL_PLANE = identityName('weft-destination', 'weft-system', DOMAIN);
const RUNNER = identityName('weft-dev', 'weft-system', DOMAIN);

describe('the control plane entry point', () => {
  let dir = '';
  let child: ChildProcess | undefined;
  let identity: IdentityServer | undefined;
  afterEach(async () => {
    await identity?.close();
    identity = undefined;
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('certifies itself with the identity service, serves destination, registration, /ready and /metrics over mTLS on loopback only, and stops on SIGTERM', async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-main-'));
    await writeFile(
      join(dir, 'svc.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata: { name: web-svc, namespace: emojivoto }\nspec: { ports: [{ port: 80 }] }\n',
    );
    const ca = createMeshCa({ domain: DOMAIN });
    const key = createLocalTokenKey();
    identity = await startIdentityServer({
      listen: '127.0.0.1:0',
      issuers: staticIssuer(ca.issuer),
      tokens: localTokenValidator(key),
      domain: DOMAIN,
      logger: silentLogger,
    });
    await writeFile(join(dir, 'token'), mintLocalToken({ identity: CONTROL_PLANE, key }));
    const proc = run({
      WEFT_CP_BACKEND: 'local',
      WEFT_CP_RESOURCE_DIR: dir,
      // No host: the local backend binds loopback.
      WEFT_CP_LISTEN_ADDR: '0',
      WEFT_CP_ADMIN_ADDR: '0',
      WEFT_CP_NAMESPACE: 'weft-system',
      WEFT_CP_TRUST_DOMAIN: 'example.org',
      WEFT_CP_IDENTITY_SVC_ADDR: identity.address,
      WEFT_CP_IDENTITY_TRUST_ANCHORS: ca.trustAnchorsPem,
      WEFT_CP_IDENTITY_TOKEN_FILE: join(dir, 'token'),
    });
    child = proc.child;
    const ports = await proc.listening;
    let ready = await fetch(`http://127.0.0.1:${ports.admin}/ready`);
    const deadline = Date.now() + 15_000;
    while (ready.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      ready = await fetch(`http://127.0.0.1:${ports.admin}/ready`);
    }
    expect(ready.status).toBe(200);
    expect(await listeningAddresses(ports.grpc)).toEqual(['127.0.0.1']);
    expect(await listeningAddresses(ports.admin)).toEqual(['127.0.0.1']);

    const target = `127.0.0.1:${ports.grpc}`;
    const as = (who: string) =>
      meshChannel(issueWorkloadCertificate(ca.issuer, who), ca.trustAnchorsPem, CONTROL_PLANE);
    const runner = as(RUNNER);
    const registration = new (loadRegistrationApi().weft.registration.Registration)(
      target,
      runner.creds,
      runner.options,
    );
    const reg = new StreamReader(
      registration.Register({
        namespace: 'emojivoto',
        service: 'web-svc',
        pod: 'web-1',
        serviceAccount: 'web',
        address: { ip: '127.0.0.1', port: 8080 },
        meshed: true,
      }),
    );
    expect((await reg.next()).identity).toBe('web.emojivoto.serviceaccount.identity.weft-system.example.org');

    const web = as(identityName('web', 'emojivoto', DOMAIN));
    const destination = new (loadDestinationApi().weft.destination.Destination)(target, web.creds, web.options);
    const get = new StreamReader(destination.Get({ scheme: 'local', path: 'web-svc.emojivoto:80', contextToken: '' }));
    expect((await get.next()).add?.addrs[0]?.addr).toEqual({ ip: '127.0.0.1', port: 8080 });

    const metrics = await (await fetch(`http://127.0.0.1:${ports.admin}/metrics`)).text();
    expect(metrics).toMatch(/^destination_streams\{rpc="Get"\} 1$/m);
    expect(metrics).toMatch(/^registered_workloads 1$/m);
    expect(metrics).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
    expect(await promtoolProblems(metrics)).toEqual([]);

    get.cancel();
    reg.cancel();
    destination.close();
    registration.close();
    proc.child.kill('SIGTERM');
    expect(await exited(proc.child)).toBe(0);
  });

  it('refuses to start on a bad setting, naming it', async () => {
    const proc = run({ WEFT_CP_BACKEND: 'local', WEFT_CP_DEFAULT_INBOUND_POLICY: 'allow-everything' });
    child = proc.child;
    proc.listening.catch(() => {});
    expect(await exited(proc.child)).toBe(1);
    expect(proc.output()).toMatch(/WEFT_CP_INVALID_CONFIG: WEFT_CP_DEFAULT_INBOUND_POLICY=allow-everything/);
  });
});
