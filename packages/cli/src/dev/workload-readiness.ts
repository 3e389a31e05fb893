import { CliError, CliErrorCode } from '../errors.ts';
import type { ProcessSpec } from './process-spec.ts';
import type { Registrations, WorkloadRegistration } from './registration.ts';
import type { Supervisor } from './supervisor.ts';

// Keeps the control plane's view of the local workloads in step with their
// processes, as Kubernetes' endpoints controller follows pod readiness: while
// a workload's app or sidecar restarts it has no endpoints, so its peers'
// proxies hold new requests (up to their fail-fast timeout) instead of
// sending them to a closed port, and it is registered again once both are
// ready. A restarted control plane knows no workload and gets all of them.

/** A workload as it is followed: its processes, and what the control plane is told about it. */
export interface FollowedWorkload {
  readonly pod: string;
  /** The identity its sidecar holds; empty without a sidecar. */
  readonly identity: string;
  readonly app: ProcessSpec;
  readonly sidecar?: ProcessSpec;
  readonly registration: WorkloadRegistration;
}

/** Registers a workload with the control plane, and checks it names the identity its sidecar holds. */
export async function registerWithControlPlane(registrations: Registrations, w: FollowedWorkload): Promise<void> {
  const identity = await registrations.register(w.registration);
  if (identity !== w.identity) {
    throw new CliError(
      CliErrorCode.Dev,
      `the control plane names ${w.pod} ${identity}, but its sidecar holds ${w.identity}`,
    );
  }
}

export class WorkloadReadiness {
  readonly #supervisor: Supervisor;
  readonly #registrations: Registrations;
  readonly #controlPlane: string;
  readonly #write: (text: string) => void;
  /** Workloads registered once, by the name of their app and of their sidecar. */
  readonly #byProcess = new Map<string, FollowedWorkload>();

  constructor(
    supervisor: Supervisor,
    registrations: Registrations,
    controlPlane: string,
    write: (text: string) => void,
  ) {
    this.#supervisor = supervisor;
    this.#registrations = registrations;
    this.#controlPlane = controlPlane;
    this.#write = write;
    supervisor.onReadiness((name, ready) => this.#changed(name, ready));
  }

  /** Follows a workload from its first registration on. */
  follow(w: FollowedWorkload): void {
    this.#byProcess.set(w.app.name, w);
    if (w.sidecar) this.#byProcess.set(w.sidecar.name, w);
  }

  #changed(name: string, ready: boolean): void {
    if (name === this.#controlPlane) {
      if (ready) for (const w of new Set(this.#byProcess.values())) this.#announce(w);
      return;
    }
    const w = this.#byProcess.get(name);
    if (!w) return;
    if (!ready) {
      this.#registrations.unregister(w.pod);
      this.#write(`[dev] ${w.pod} has no endpoints until ${name} is ready again\n`);
    } else {
      this.#announce(w);
    }
  }

  #announce(w: FollowedWorkload): void {
    const ready = (name: string) => this.#supervisor.isReady(name);
    if (!(ready(this.#controlPlane) && ready(w.app.name) && (!w.sidecar || ready(w.sidecar.name)))) return;
    registerWithControlPlane(this.#registrations, w).then(
      () => this.#write(`[dev] √ ${w.pod} registered again\n`),
      (error: Error) => this.#write(`[dev] ${error.message}\n`),
    );
  }
}
