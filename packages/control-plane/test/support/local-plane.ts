import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChannelCredentials, type ChannelOptions, credentials } from '@grpc/grpc-js';
import { loadDestinationApi, loadPolicyApi, loadRegistrationApi } from '@weft/api';
import type { DestinationClient } from '@weft/api/gen/weft/destination/Destination.ts';
import type { InboundServerPoliciesClient } from '@weft/api/gen/weft/policy/InboundServerPolicies.ts';
import type { Registered__Output } from '@weft/api/gen/weft/registration/Registered.ts';
import type { RegistrationClient } from '@weft/api/gen/weft/registration/Registration.ts';
import type { Workload } from '@weft/api/gen/weft/registration/Workload.ts';
import {
  type CertificateSource,
  checkPeerIdentity,
  createMeshCa,
  issueWorkloadCertificate,
  type MeshCa,
  staticCertificateSource,
  type WorkloadCertificate,
} from '@weft/identity';
import { type ControlPlaneConfig, identityName, loadConfig } from '../../src/config.ts';
import { type RunningControlPlane, startControlPlane } from '../../src/control-plane.ts';
import { LocalStore } from '../../src/store/local/local-store.ts';
import type { StoreProblem } from '../../src/store/store.ts';
import { StreamReader } from './stream.ts';

export interface MeshChannel {
  readonly creds: ChannelCredentials;
  readonly options: ChannelOptions;
}

/** A gRPC client's side of mTLS with the control plane: our certificate, and its identity verified. */
export function meshChannel(own: WorkloadCertificate, trustAnchorsPem: string, controlPlane: string): MeshChannel {
  return {
    creds: credentials.createSsl(Buffer.from(trustAnchorsPem), Buffer.from(own.keyPem), Buffer.from(own.certChainPem), {
      checkServerIdentity: (_host, cert) => checkPeerIdentity(cert, controlPlane),
    }),
    options: { 'grpc.ssl_target_name_override': controlPlane, 'grpc.default_authority': controlPlane },
  };
}

/** The mesh's identity of a workload in the plane's own domain. */
export const meshIdentity = (sa: string, ns = 'emojivoto') =>
  identityName({ namespace: 'weft', trustDomain: 'cluster.local' }, sa, ns);

/**
 * A local-backend control plane on loopback port 0 over a temporary resource
 * folder, serving mTLS with a certificate from an in-process mesh CA, with
 * real gRPC clients: destination and policy as a proxy (web), registration
 * as the local runner.
 */
export class LocalPlane {
  dir = '';
  cp!: RunningControlPlane;
  cfg!: ControlPlaneConfig;
  store!: LocalStore;
  /** The CA whose anchors the control plane trusts and whose issuer signed its certificate. */
  readonly ca: MeshCa = createMeshCa({ domain: { trustDomain: 'cluster.local', controlPlaneNamespace: 'weft' } });
  destination!: DestinationClient;
  policy!: InboundServerPoliciesClient;
  registration!: RegistrationClient;
  readonly problems: StoreProblem[] = [];
  readonly #clients: { close(): void }[] = [];

  /** `certificates`: where the control plane's certificate comes from; default one issued now by `ca`. */
  async start(
    files: Record<string, string>,
    env: Record<string, string> = {},
    certificates?: CertificateSource,
  ): Promise<this> {
    this.dir = await mkdtemp(join(tmpdir(), 'weft-cp-'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(this.dir, name), text);
    this.cfg = loadConfig(
      (name) =>
        ({
          WEFT_CP_BACKEND: 'local',
          WEFT_CP_RESOURCE_DIR: this.dir,
          WEFT_CP_LISTEN_ADDR: '127.0.0.1:0',
          WEFT_CP_ADMIN_ADDR: '127.0.0.1:0',
          WEFT_CP_DEBOUNCE_MS: '20',
          WEFT_CP_IDENTITY_TRUST_ANCHORS: this.ca.trustAnchorsPem,
          // Never dialed: the test hands the control plane its certificate.
          WEFT_CP_IDENTITY_SVC_ADDR: '127.0.0.1:1',
          ...env,
        })[name],
    );
    this.store = new LocalStore(this.cfg, (p) => this.problems.push(p));
    const name = this.cfg.identity?.name;
    const certificate =
      certificates ?? (name ? staticCertificateSource(issueWorkloadCertificate(this.ca.issuer, name)) : undefined);
    this.cp = await startControlPlane(this.cfg, this.store, certificate);
    await this.store.ready();
    this.destination = this.client('destination', meshIdentity('web'));
    this.policy = this.client('policy', meshIdentity('web'));
    this.registration = this.client('registration', this.cfg.registrationIdentity);
    return this;
  }

  /**
   * Credentials of a client holding a certificate for `identity` from `ca`
   * (default: the plane's own CA); plaintext when the plane serves plaintext.
   */
  channel(identity: string, ca: MeshCa = this.ca): MeshChannel {
    const expected = this.cfg.identity?.name;
    if (!expected) return { creds: credentials.createInsecure(), options: {} };
    return meshChannel(issueWorkloadCertificate(ca.issuer, identity), this.ca.trustAnchorsPem, expected);
  }

  /** A client of one of the plane's APIs as `identity`; closed by stop(). */
  client<K extends 'destination' | 'policy' | 'registration'>(
    api: K,
    identity: string,
    ca?: MeshCa,
  ): { destination: DestinationClient; policy: InboundServerPoliciesClient; registration: RegistrationClient }[K] {
    const { creds, options } = this.channel(identity, ca);
    const target = `127.0.0.1:${this.cp.grpcPort}`;
    const Client =
      api === 'destination'
        ? loadDestinationApi().weft.destination.Destination
        : api === 'policy'
          ? loadPolicyApi().weft.policy.InboundServerPolicies
          : loadRegistrationApi().weft.registration.Registration;
    const client = new Client(target, creds, options);
    this.#clients.push(client);
    return client as never;
  }

  /**
   * Replaces a file whole, as an editor that saves through a rename does. An in-place write is
   * seen truncated before it is seen full, and a reload that falls in between takes the empty
   * file for the folder's content.
   */
  async write(name: string, text: string): Promise<void> {
    const temporary = join(this.dir, `.${name}.tmp`);
    await writeFile(temporary, text);
    await rename(temporary, join(this.dir, name));
  }

  get(path: string, contextToken = '{"ns":"emojivoto","pod":"test"}') {
    return new StreamReader(this.destination.Get({ scheme: 'local', path, contextToken }));
  }

  profile(path: string, contextToken = '{"ns":"emojivoto","pod":"test"}') {
    return new StreamReader(this.destination.GetProfile({ scheme: 'local', path, contextToken }));
  }

  watchPort(ns: string, pod: string, port: number, client: InboundServerPoliciesClient = this.policy) {
    return new StreamReader(client.WatchPort({ workload: JSON.stringify({ ns, pod }), port }));
  }

  /** The value of one series on the admin port's /metrics, e.g. `destination_streams{rpc="Get"}`. */
  async metric(series: string): Promise<number | undefined> {
    const text = await (await fetch(`http://127.0.0.1:${this.cp.adminPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  }

  /** Registers a workload over the Registration API; it lives until the returned reader is cancelled. */
  async register(workload: Workload): Promise<StreamReader<Registered__Output>> {
    const reader = new StreamReader(this.registration.Register(workload));
    await reader.next();
    return reader;
  }

  async stop(): Promise<void> {
    for (const client of this.#clients) client.close();
    await this.cp?.close();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** Polls until `check` holds (for effects with no message to wait on, such as a rejected file). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
