import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMeshCa, identityName, issueWorkloadCertificate, type MeshCa } from '@weft/identity';
import { Netns, netnsExists } from '@weft/original-dst/netns';

// Pods as on Kubernetes, in network namespaces: a "node" namespace routes
// between pods, each joined to it by a veth pair (pod i is 10.81.i.2, the
// node 10.81.i.1 on its side); weft-proxy-init's real rules in every pod; the
// proxy (src/main.ts) as uid 2102 and the apps as uid 1000, as the injector
// runs them; the control plane's local backend in the node namespace, reached
// by the pods at their gateway's address on its port (DNAT to its loopback,
// where the local backend listens). Everything goes with close().

export const PROXY_UID = 2102;
export const APP_UID = 1000;
export const CP_PORT = 8086;
const CP_NAMESPACE = 'weft';
const DEADLINE_MS = 30_000;

const PROXY_MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const POD_APP = fileURLToPath(new URL('./pod-app.ts', import.meta.url));
const CP_SRC = dirname(fileURLToPath(import.meta.resolve('@weft/control-plane')));
const CP_MAIN = join(CP_SRC, 'main.ts');
const PROXY_INIT = join(CP_SRC, 'injector', 'proxy-init', 'main.ts');

export const meshIdentity = (sa: string, ns: string) =>
  identityName(sa, ns, { trustDomain: 'cluster.local', controlPlaneNamespace: CP_NAMESPACE });

/** Resolves once `child`'s output (stdout and stderr) contains `text`; fails with what it wrote at the deadline or on exit. */
export function outputContains(child: ChildProcess, text: string, ms = DEADLINE_MS): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(seen);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk;
      if (seen.includes(text)) done();
    };
    const onExit = () => done(new Error(`exited before "${text}": ${seen}`));
    const timer = setTimeout(() => done(new Error(`no "${text}" within ${ms} ms: ${seen}`)), ms);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Long-running servers of pod-app.ts (`http:8080,echo:7000`) in `ns`, as the app's uid; resolves once they listen. */
export async function serveIn(ns: Netns, specs: string): Promise<void> {
  await outputContains(ns.spawn(process.execPath, [POD_APP, 'serve', specs], { uid: APP_UID }), 'listening');
}

export class Pod {
  readonly ns: Netns;
  /** The pod's IP. */
  readonly ip: string;
  /** The node's address on this pod's side: its gateway, and where the control plane is reached. */
  readonly gateway: string;
  constructor(ns: Netns, ip: string, gateway: string) {
    this.ns = ns;
    this.ip = ip;
    this.gateway = gateway;
  }

  /** An app process (uid 1000) running pod-app.ts with `args`, until it exits; its one JSON line. */
  async app(args: readonly string[], uid = APP_UID): Promise<Record<string, unknown>> {
    const child = this.ns.spawn(process.execPath, [POD_APP, ...args], { uid });
    const out = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout?.on('data', (c) => {
        text += c;
      });
      child.stderr?.on('data', (c) => {
        text += c;
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`pod-app ${args.join(' ')}: no answer within ${DEADLINE_MS} ms: ${text}`));
      }, DEADLINE_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    try {
      return JSON.parse(out.trim().split('\n').pop() ?? '') as Record<string, unknown>;
    } catch {
      throw new Error(`pod-app ${args.join(' ')}: ${out}`);
    }
  }

  /** Long-running servers of pod-app.ts (`http:8080,echo:7000`), as the app's uid. */
  serve(specs: string): Promise<void> {
    return serveIn(this.ns, specs);
  }

  /** The proxy's /metrics, read from inside the pod. */
  async metrics(): Promise<string> {
    const answer = await this.app(['get', 'http://127.0.0.1:4191/metrics']);
    if (answer.status !== 200) throw new Error(`metrics: ${JSON.stringify(answer)}`);
    return answer.body as string;
  }
}

export class PodCluster {
  readonly ca: MeshCa = createMeshCa({ domain: { trustDomain: 'cluster.local', controlPlaneNamespace: CP_NAMESPACE } });
  readonly node: Netns;
  readonly #pods: Pod[] = [];
  readonly #names: string[] = [];
  readonly #dir = mkdtempSync(join(tmpdir(), 'weft-pods-'));

  constructor() {
    chmodSync(this.#dir, 0o755);
    this.node = new Netns();
    this.#names.push(this.node.name);
    try {
      this.node.run('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      // The local backend listens on loopback only: the pods' connections to its port are sent there.
      this.node.run('sysctl', ['-qw', 'net.ipv4.conf.all.route_localnet=1']);
      this.node.run('iptables', [
        ...['-t', 'nat', '-A', 'PREROUTING', '-p', 'tcp', '--dport', String(CP_PORT)],
        ...['-j', 'DNAT', '--to-destination', `127.0.0.1:${CP_PORT}`],
      ]);
    } catch (err) {
      this.close(); // the caller never gets the object to close
      throw err;
    }
  }

  /** A new pod, its routes out through the node, proxy-init's rules applied. */
  pod(): Pod {
    const index = this.#pods.length + 1;
    const ns = new Netns();
    this.#names.push(ns.name);
    const pod = new Pod(ns, `10.81.${index}.2`, `10.81.${index}.1`);
    this.#pods.push(pod);
    this.node.veth([`${pod.gateway}/24`], ns, [`${pod.ip}/24`]);
    ns.run('ip', ['route', 'add', 'default', 'via', pod.gateway]);
    ns.run(process.execPath, [
      PROXY_INIT,
      ...['--incoming-proxy-port', '4143', '--outgoing-proxy-port', '4140', '--proxy-uid', String(PROXY_UID)],
      ...['--inbound-ports-to-ignore', '4190,4191', '--ipv6=false'],
    ]);
    return pod;
  }

  /** The control plane over a folder holding `resources`, once it has loaded them. */
  async controlPlane(resources: string): Promise<void> {
    const dir = join(this.#dir, 'resources');
    mkdirSync(dir);
    writeFileSync(join(dir, 'resources.yaml'), resources);
    const child = this.node.spawn(process.execPath, [CP_MAIN], {
      env: {
        WEFT_CP_BACKEND: 'local',
        WEFT_CP_RESOURCE_DIR: dir,
        WEFT_CP_LISTEN_ADDR: `127.0.0.1:${CP_PORT}`,
        WEFT_CP_ADMIN_ADDR: '127.0.0.1:0',
        WEFT_CP_PLAINTEXT: 'true',
        WEFT_CP_NAMESPACE: CP_NAMESPACE,
      },
    });
    await outputContains(child, 'resources loaded');
  }

  /** The sidecar in `pod` as `sa` in `namespace`, with the injector's variables and `env`; resolves once it listens. */
  async proxy(pod: Pod, sa: string, namespace: string, podName: string, env: Record<string, string>): Promise<void> {
    const name = meshIdentity(sa, namespace);
    const cert = issueWorkloadCertificate(this.ca.issuer, name);
    const certFile = join(this.#dir, `${podName}.crt`);
    const keyFile = join(this.#dir, `${podName}.key`);
    writeFileSync(certFile, cert.certChainPem);
    writeFileSync(keyFile, cert.keyPem, { mode: 0o644 });
    const controlPlane = `${pod.gateway}:${CP_PORT}`;
    const context = JSON.stringify({ ns: namespace, pod: podName });
    const child = pod.ns.spawn(process.execPath, [PROXY_MAIN], {
      uid: PROXY_UID,
      env: {
        WEFT_PROXY_INBOUND_LISTEN_ADDR: '0.0.0.0:4143',
        WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:4140',
        WEFT_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:4191',
        WEFT_PROXY_DESTINATION_ADDR: controlPlane,
        WEFT_PROXY_DESTINATION_CONTEXT: context,
        WEFT_PROXY_CONTROL_PLANE_PLAINTEXT: 'true',
        WEFT_PROXY_POLICY_WORKLOAD: context,
        WEFT_PROXY_IDENTITY_LOCAL_NAME: name,
        WEFT_PROXY_IDENTITY_TRUST_ANCHORS: this.ca.trustAnchorsPem,
        WEFT_PROXY_IDENTITY_CERT_FILE: certFile,
        WEFT_PROXY_IDENTITY_KEY_FILE: keyFile,
        ...env,
      },
    });
    await outputContains(child, '"listening"');
  }

  close(): void {
    const failures: unknown[] = [];
    for (const ns of [...this.#pods.map((p) => p.ns), this.node]) {
      try {
        ns.remove();
      } catch (err) {
        failures.push(err);
      }
    }
    rmSync(this.#dir, { recursive: true, force: true });
    if (failures.length > 0) throw failures[0];
    const left = this.#names.filter(netnsExists);
    if (left.length > 0) throw new Error(`network namespaces left behind: ${left.join(', ')}`);
  }
}
