import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { loadDestinationApi, loadPolicyApi, loadRegistrationApi } from '@weft/api';
import type { DestinationClient } from '@weft/api/gen/weft/destination/Destination.ts';
import type { InboundServerPoliciesClient } from '@weft/api/gen/weft/policy/InboundServerPolicies.ts';
import type { Registered__Output } from '@weft/api/gen/weft/registration/Registered.ts';
import type { RegistrationClient } from '@weft/api/gen/weft/registration/Registration.ts';
import type { Workload } from '@weft/api/gen/weft/registration/Workload.ts';
import { loadConfig } from '../../src/config.ts';
import { type RunningControlPlane, startControlPlane } from '../../src/control-plane.ts';
import { LocalStore } from '../../src/store/local/local-store.ts';
import type { StoreProblem } from '../../src/store/store.ts';
import { StreamReader } from './stream.ts';

/** A local-backend control plane on loopback port 0 over a temporary resource folder, with real gRPC clients. */
export class LocalPlane {
  dir = '';
  cp!: RunningControlPlane;
  store!: LocalStore;
  destination!: DestinationClient;
  policy!: InboundServerPoliciesClient;
  registration!: RegistrationClient;
  readonly problems: StoreProblem[] = [];

  async start(files: Record<string, string>, env: Record<string, string> = {}): Promise<this> {
    this.dir = await mkdtemp(join(tmpdir(), 'weft-cp-'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(this.dir, name), text);
    const cfg = loadConfig(
      (name) =>
        ({
          WEFT_CP_BACKEND: 'local',
          WEFT_CP_RESOURCE_DIR: this.dir,
          WEFT_CP_LISTEN_ADDR: '127.0.0.1:0',
          WEFT_CP_ADMIN_ADDR: '127.0.0.1:0',
          WEFT_CP_DEBOUNCE_MS: '20',
          ...env,
        })[name],
    );
    this.store = new LocalStore(cfg, (p) => this.problems.push(p));
    this.cp = await startControlPlane(cfg, this.store);
    await this.store.ready();
    const target = `127.0.0.1:${this.cp.grpcPort}`;
    const insecure = credentials.createInsecure();
    this.destination = new (loadDestinationApi().weft.destination.Destination)(target, insecure);
    this.policy = new (loadPolicyApi().weft.policy.InboundServerPolicies)(target, insecure);
    this.registration = new (loadRegistrationApi().weft.registration.Registration)(target, insecure);
    return this;
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

  watchPort(ns: string, pod: string, port: number) {
    return new StreamReader(this.policy.WatchPort({ workload: JSON.stringify({ ns, pod }), port }));
  }

  /** Registers a workload over the Registration API; it lives until the returned reader is cancelled. */
  async register(workload: Workload): Promise<StreamReader<Registered__Output>> {
    const reader = new StreamReader(this.registration.Register(workload));
    await reader.next();
    return reader;
  }

  async stop(): Promise<void> {
    this.destination?.close();
    this.policy?.close();
    this.registration?.close();
    await this.cp?.close();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** Polls until `check` holds (for effects with no message to wait on, such as a rejected file). */
export async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
