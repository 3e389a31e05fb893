import { Server, ServerCredentials, type ServerWritableStream, status } from '@grpc/grpc-js';
import { loadDestinationApi } from '@weft/api';
import type { DestinationProfile } from '@weft/api/gen/weft/destination/DestinationProfile.ts';
import type { GetDestination__Output } from '@weft/api/gen/weft/destination/GetDestination.ts';
import type { Update } from '@weft/api/gen/weft/destination/Update.ts';
import type { WeightedAddr } from '@weft/api/gen/weft/destination/WeightedAddr.ts';
import type { WorkloadCertificate } from '@weft/identity';

// A real grpc-js destination server for tests: a table of authorities and
// their endpoints, streaming a snapshot and then diffs to every watcher.

type Stream = ServerWritableStream<GetDestination__Output, Update>;
type ProfileStream = ServerWritableStream<GetDestination__Output, DestinationProfile>;

export type { DestinationProfile };

export interface TestEndpoint {
  readonly ip: string;
  readonly port: number;
  readonly identity?: string;
  readonly labels?: Record<string, string>;
}

export class TestDestination {
  readonly #services = new Map<string, TestEndpoint[]>();
  readonly #watchers = new Map<string, Set<Stream>>();
  readonly #profiles = new Map<string, DestinationProfile>();
  readonly #profileWatchers = new Map<string, Set<ProfileStream>>();
  readonly requests: string[] = [];
  #server: Server | undefined;
  port = 0;

  /** Get streams open right now, across all authorities. */
  get watching(): number {
    let n = 0;
    for (const set of this.#watchers.values()) n += set.size;
    return n;
  }

  set(authority: string, endpoints: TestEndpoint[]): void {
    this.#services.set(authority, endpoints);
  }

  /** Sets the authority's profile and sends it, whole, to every GetProfile stream. */
  setProfile(authority: string, profile: DestinationProfile): void {
    this.#profiles.set(authority, profile);
    for (const w of this.#profileWatchers.get(authority) ?? []) w.write(profile);
  }

  add(authority: string, endpoint: TestEndpoint): void {
    this.#services.set(authority, [...(this.#services.get(authority) ?? []), endpoint]);
    for (const w of this.#watchers.get(authority) ?? [])
      w.write({ add: { addrs: [addr(endpoint)], metricLabels: labels(authority) } });
  }

  remove(authority: string, endpoint: TestEndpoint): void {
    const left = (this.#services.get(authority) ?? []).filter((e) => e.ip !== endpoint.ip || e.port !== endpoint.port);
    this.#services.set(authority, left);
    for (const w of this.#watchers.get(authority) ?? []) {
      w.write({ remove: { addrs: [{ ip: endpoint.ip, port: endpoint.port }] } });
    }
  }

  /**
   * Serves plaintext, or with `tls` mTLS as the control plane does: that
   * certificate, and a client certificate from its trust anchors required.
   */
  async start(port = 0, tls?: WorkloadCertificate): Promise<number> {
    const api = loadDestinationApi();
    const server = new Server();
    const credentials = tls
      ? ServerCredentials.createSsl(
          Buffer.from(tls.trustAnchorsPem),
          [{ private_key: Buffer.from(tls.keyPem), cert_chain: Buffer.from(tls.certChainPem) }],
          true,
        )
      : ServerCredentials.createInsecure();
    server.addService(api.weft.destination.Destination.service, {
      Get: (call: Stream) => this.#get(call),
      GetProfile: (call: ProfileStream) => this.#getProfile(call),
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, credentials, (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.#server = server;
    return this.port;
  }

  /** Stops answering, as a control plane that went away. */
  stop(): void {
    this.#server?.forceShutdown();
    this.#server = undefined;
    this.#watchers.clear();
    this.#profileWatchers.clear();
  }

  #getProfile(call: ProfileStream): void {
    const authority = call.request.path;
    let set = this.#profileWatchers.get(authority);
    if (!set) {
      set = new Set();
      this.#profileWatchers.set(authority, set);
    }
    set.add(call);
    call.on('cancelled', () => set.delete(call));
    call.write(this.#profiles.get(authority) ?? {});
  }

  #get(call: Stream): void {
    const authority = call.request.path;
    this.requests.push(authority);
    const endpoints = this.#services.get(authority);
    if (!endpoints) {
      call.emit('error', { code: status.NOT_FOUND, details: `unknown ${authority}` });
      return;
    }
    let set = this.#watchers.get(authority);
    if (!set) {
      set = new Set();
      this.#watchers.set(authority, set);
    }
    set.add(call);
    call.on('cancelled', () => set.delete(call));
    if (endpoints.length > 0) call.write({ add: { addrs: endpoints.map(addr), metricLabels: labels(authority) } });
    else call.write({ noEndpoints: { exists: true } });
  }
}

function labels(authority: string): Record<string, string> {
  const [service = '', namespace = ''] = authority.split('.');
  return { service, namespace };
}

function addr(e: TestEndpoint): WeightedAddr {
  return {
    addr: { ip: e.ip, port: e.port },
    weight: 10_000,
    metricLabels: e.labels ?? {},
    tlsIdentity: e.identity ? { name: e.identity, serverName: e.identity } : null,
    protocolHint: e.identity ? { h2: {} } : null,
  };
}
