import type { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect as tlsConnect } from 'node:tls';
import { type ChannelCredentials, type ChannelOptions, Client, credentials } from '@grpc/grpc-js';
import { DEFAULT_CONTROL_PLANE_NAMESPACE, DEFAULT_TRUST_DOMAIN, identityServiceName } from '@weft/identity';
import type { Inventory } from '../client.ts';
import { controlPlaneChannel } from '../control-plane-channel.ts';
import { readResourceFolder } from '../resource-folder.ts';
import type { MeshInfo, Workload } from '../workload.ts';
import { type CheckCategory, type CheckResult, fail, ok, warn } from './result.ts';

// Checks of the running local mesh: the control plane's APIs, every proxy
// (ready, and serving a certificate for its identity that the trust anchors
// vouch for), and the resource folder the control plane reads.

const TIMEOUT_MS = 2000;
// The local mesh's identity service, as weft dev names it.
const IDENTITY_NAME_OVERRIDE: ChannelOptions = {
  'grpc.ssl_target_name_override': identityServiceName({
    trustDomain: DEFAULT_TRUST_DOMAIN,
    controlPlaneNamespace: DEFAULT_CONTROL_PLANE_NAMESPACE,
  }),
};

export async function controlPlaneChecks(
  mesh: MeshInfo,
  env: Readonly<Record<string, string | undefined>>,
): Promise<CheckCategory> {
  const checks: CheckResult[] = [];
  const grpc = async (
    what: string,
    addr: string | undefined,
    creds = credentials.createInsecure(),
    options: ChannelOptions = {},
  ) => {
    if (!addr) return warn(`${what} is reachable`, `weft dev did not tell the viz server where ${what} listens`);
    const error = await grpcReachable(addr, creds, options);
    return error
      ? fail(`${what} is reachable`, 'is the control plane running? see its log in `weft dev`', [`${addr}: ${error}`])
      : ok(`${what} is reachable`);
  };
  // Destination and policy answer mTLS clients only: the CLI presents its own certificate.
  const policyAddr = mesh.policyAddr ?? mesh.destinationAddr;
  let channel: ReturnType<typeof controlPlaneChannel> | undefined;
  let noCertificate = '';
  try {
    channel = controlPlaneChannel(env, mesh);
  } catch (err) {
    noCertificate = (err as Error).message;
  }
  for (const [api, addr] of [
    ['destination API', mesh.destinationAddr],
    ['policy API', policyAddr],
  ] as const) {
    checks.push(
      addr && !channel
        ? fail(`${api} is reachable`, 'the CLI needs its mesh certificate to reach the control plane', [noCertificate])
        : await grpc(api, addr, channel?.creds, channel?.options),
    );
  }
  // Identity serves TLS even to callers without a certificate (proxies before
  // their first one), under its own identity name, chaining to the anchors.
  const identityCreds = mesh.trustAnchorsFile
    ? credentials.createSsl(await readFile(mesh.trustAnchorsFile))
    : credentials.createInsecure();
  checks.push(await grpc('identity API', mesh.identityAddr, identityCreds, IDENTITY_NAME_OVERRIDE));
  if (mesh.controlPlaneAdminAddr) {
    const status = await httpStatus(`http://${mesh.controlPlaneAdminAddr}/ready`);
    checks.push(
      status === 200
        ? ok('control plane is ready')
        : fail('control plane is ready', 'it answers once every resource kind is loaded; see its log', [
            `${mesh.controlPlaneAdminAddr}/ready: ${status}`,
          ]),
    );
  }
  return { name: 'weft-control-plane', checks };
}

export async function dataPlaneChecks(inventory: Inventory): Promise<CheckCategory> {
  const workloads = inventory.workloads;
  if (workloads.length === 0) {
    return { name: 'weft-data-plane', checks: [fail('data plane proxies are registered', 'start `weft dev`')] };
  }
  const ready = await Promise.all(workloads.map((w) => httpStatus(`http://${w.adminAddr}/ready`)));
  const notReady = workloads.flatMap((w, i) =>
    ready[i] === 200 ? [] : [`${w.namespace}/${w.pod}: ${w.adminAddr}/ready answered ${ready[i]}`],
  );
  const checks: CheckResult[] = [
    notReady.length === 0
      ? ok('data plane proxies are ready')
      : fail(
          'data plane proxies are ready',
          'a proxy that is down or not yet certified; see its log in `weft dev`',
          notReady,
        ),
  ];
  const anchorsPem = inventory.mesh.trustAnchorsFile
    ? await readFile(inventory.mesh.trustAnchorsFile, 'utf8').catch(() => undefined)
    : undefined;
  if (!anchorsPem) {
    checks.push(warn('data plane proxies certificates match CA', 'the trust anchors file is unknown or unreadable'));
  } else {
    const problems = (
      await Promise.all(workloads.filter((_, i) => ready[i] === 200).map((w) => certificateProblem(w, anchorsPem)))
    ).filter((p): p is string => p !== undefined);
    checks.push(
      problems.length === 0
        ? ok('data plane proxies certificates match CA')
        : fail(
            'data plane proxies certificates match CA',
            'a proxy whose certificate is for another identity or from another CA: restart it',
            problems,
          ),
    );
  }
  const stale = workloads
    .filter((w) => !w.health.up)
    .map((w) => `${w.namespace}/${w.pod}: ${w.health.lastError ?? 'down'}`);
  checks.push(
    stale.length === 0
      ? ok('data plane proxies metrics are scraped')
      : fail(
          'data plane proxies metrics are scraped',
          "the viz recorder cannot scrape these proxies' admin /metrics",
          stale,
        ),
  );
  return { name: 'weft-data-plane', checks };
}

export async function resourceChecks(mesh: MeshInfo): Promise<CheckCategory | undefined> {
  if (!mesh.resourcesDir) return undefined;
  const read = await readResourceFolder(mesh.resourcesDir);
  const problems = read.problems.map((p) => `${p.source}: ${p.message}`);
  const conflicts = read.conflicts.map((p) => `${p.source}: ${p.message}`);
  return {
    name: 'weft-resources',
    checks: [
      problems.length === 0
        ? ok('resource files are valid')
        : fail(
            'resource files are valid',
            'fix these files; the control plane keeps their last good content',
            problems,
          ),
      conflicts.length === 0
        ? ok('resources do not override one another')
        : warn('resources do not override one another', 'remove or merge the resources that lose', conflicts),
    ],
  };
}

async function grpcReachable(
  addr: string,
  creds: ChannelCredentials,
  options: ChannelOptions,
): Promise<string | undefined> {
  const client = new Client(addr, creds, options);
  try {
    await new Promise<void>((resolve, reject) =>
      client.waitForReady(Date.now() + TIMEOUT_MS, (err) => (err ? reject(err) : resolve())),
    );
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    client.close();
  }
}

async function httpStatus(url: string): Promise<number | string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel();
    return res.status;
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
  }
}

/**
 * Handshakes with the proxy's inbound port as a peer would, naming its
 * identity, and checks the certificate it serves chains to the trust anchors
 * and carries that identity. TLS 1.3 sends the server's certificate before it
 * asks for ours, so no client certificate is needed to see it.
 */
function certificateProblem(w: Workload, anchorsPem: string): Promise<string | undefined> {
  const [host = '', port = ''] = [
    w.inboundAddr.slice(0, w.inboundAddr.lastIndexOf(':')),
    w.inboundAddr.slice(w.inboundAddr.lastIndexOf(':') + 1),
  ];
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: host.replace(/^\[|\]$/g, ''),
      port: Number(port),
      servername: w.identity,
      ca: anchorsPem,
      minVersion: 'TLSv1.3',
      rejectUnauthorized: false,
    });
    const done = (problem: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    const timer = setTimeout(() => done(`${w.namespace}/${w.pod}: no TLS handshake in ${TIMEOUT_MS} ms`), TIMEOUT_MS);
    socket.once('secureConnect', () => {
      const peer = socket.getPeerX509Certificate();
      const names = peer ? dnsNames(peer) : [];
      if (!socket.authorized)
        done(`${w.namespace}/${w.pod}: ${socket.authorizationError} (not from the trust anchors)`);
      else if (!names.includes(w.identity))
        done(`${w.namespace}/${w.pod}: certificate names ${names.join(', ')}, not ${w.identity}`);
      else done(undefined);
    });
    socket.once('error', (err) => done(`${w.namespace}/${w.pod}: ${err.message}`));
  });
}

function dnsNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice(4));
}
