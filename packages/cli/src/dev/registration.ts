import type { ClientReadableStream } from '@grpc/grpc-js';
import { loadRegistrationApi } from '@weft/api';
import { CliError, CliErrorCode } from '../errors.ts';
import type { ControlPlaneChannel } from '../viz/control-plane-channel.ts';

// The local runner's side of weft.registration.Registration: one open
// Register stream per workload. The control plane keeps the workload's Pod
// and endpoints exactly as long as the stream lives, so closing it (or the
// runner dying) removes them. The runner speaks as RUNNER_IDENTITY, the one
// identity the control plane lets register.

/** What the control plane is told about one running workload. */
export interface WorkloadRegistration {
  readonly namespace: string;
  /** The declared Service it backs; empty for a pure client (vote-bot). */
  readonly service: string;
  readonly pod: string;
  readonly deployment: string;
  readonly serviceAccount: string;
  /**
   * Where peers connect: the sidecar's inbound port on loopback, serving every
   * port of the Service; or a pod's own address with port 0, serving each
   * Service port on its targetPort.
   */
  readonly address: { readonly ip: string; readonly port: number };
  /** The sidecar's inbound port; 0 for a workload without one. */
  readonly inboundPort: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Pod annotations (config.weft.dev/default-inbound-policy, opaque ports). */
  readonly annotations?: Readonly<Record<string, string>>;
}

const REPLY_TIMEOUT_MS = 5000;

export class Registrations {
  readonly #client;
  readonly #streams = new Map<string, ClientReadableStream<unknown>>();
  /** Told when an established registration breaks (the control plane went away). */
  readonly #onLost: (pod: string, error: Error) => void;
  #closing = false;

  constructor(controlPlaneAddr: string, channel: ControlPlaneChannel, onLost: (pod: string, error: Error) => void) {
    const { Registration } = loadRegistrationApi().weft.registration;
    this.#client = new Registration(controlPlaneAddr, channel.creds, channel.options);
    this.#onLost = onLost;
  }

  /** Opens the workload's stream and resolves with the identity its certificate must carry. */
  register(w: WorkloadRegistration): Promise<string> {
    const stream = this.#client.Register({
      namespace: w.namespace,
      service: w.service,
      pod: w.pod,
      deployment: w.deployment,
      serviceAccount: w.serviceAccount,
      address: { ...w.address },
      servicePort: 0,
      meshed: w.inboundPort !== 0,
      inboundPort: w.inboundPort,
      labels: { ...w.labels },
      annotations: { ...w.annotations },
    });
    this.#streams.set(w.pod, stream);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        fail(new Error(`no answer in ${REPLY_TIMEOUT_MS / 1000} s`));
        stream.cancel();
      }, REPLY_TIMEOUT_MS);
      let answered = false;
      const fail = (error: Error) => {
        clearTimeout(timer);
        if (!answered) {
          answered = true;
          reject(new CliError(CliErrorCode.Dev, `registering ${w.pod} with the control plane: ${error.message}`));
        } else if (!this.#closing && this.#streams.get(w.pod) === stream) {
          this.#onLost(w.pod, error);
        }
      };
      stream.on('data', (reply: { identity?: string }) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        resolve(reply.identity ?? '');
      });
      stream.on('error', fail);
      stream.on('end', () => fail(new Error('the control plane closed the registration')));
    });
  }

  /** Closes one workload's stream: the control plane removes its endpoints until it is registered again. */
  unregister(pod: string): void {
    const stream = this.#streams.get(pod);
    this.#streams.delete(pod);
    stream?.cancel();
  }

  /** Closes every stream: the control plane removes the workloads' endpoints. */
  close(): void {
    this.#closing = true;
    for (const stream of this.#streams.values()) stream.cancel();
    this.#streams.clear();
    this.#client.close();
  }
}
