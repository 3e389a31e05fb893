import { Server, ServerCredentials, type ServerWritableStream } from '@grpc/grpc-js';
import { loadPolicyApi } from '@weft/api';
import type { PortSpec__Output } from '@weft/api/gen/weft/policy/PortSpec.ts';
import type { Server as ServerPolicy } from '@weft/api/gen/weft/policy/Server.ts';
import { watchPort } from '../../src/policy/client.ts';
import { DestinationResolver } from '../../src/resolve/destination.ts';

// A real grpc-js InboundServerPolicies server for tests: one Server message
// for every port, sent again whole to every watcher when it changes.

type Stream = ServerWritableStream<PortSpec__Output, ServerPolicy>;

export type { ServerPolicy };

export class TestPolicy {
  #server: Server | undefined;
  #current: ServerPolicy = { protocol: { detect: {} }, authorizations: [] };
  readonly #watchers = new Set<Stream>();
  readonly requests: { workload: string; port: number }[] = [];
  #client: DestinationResolver | undefined;
  port = 0;

  set(policy: ServerPolicy): void {
    this.#current = policy;
    for (const w of this.#watchers) w.write(policy);
  }

  async start(): Promise<number> {
    const api = loadPolicyApi();
    const server = new Server();
    server.addService(api.weft.policy.InboundServerPolicies.service, {
      GetPort: (_call: unknown, cb: (err: null, value: ServerPolicy) => void) => cb(null, this.#current),
      WatchPort: (call: Stream) => {
        this.requests.push({ workload: call.request.workload, port: call.request.port });
        this.#watchers.add(call);
        call.on('cancelled', () => this.#watchers.delete(call));
        call.write(this.#current);
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.#server = server;
    return this.port;
  }

  /** The proxy side: a policy source for `port` on this server. */
  source(workload: string, port: number) {
    this.#client = new DestinationResolver({ addr: `127.0.0.1:${this.port}`, scheme: '', contextToken: '' });
    return watchPort(this.#client, workload, port);
  }

  stop(): void {
    this.#client?.close();
    this.#server?.forceShutdown();
    this.#watchers.clear();
  }
}
