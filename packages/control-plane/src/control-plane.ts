import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { ignoreStreamsClosedBeforeSeen, loadPolicyApi, loadRegistrationApi } from '@weft/api';
import type { CertificateSource } from '@weft/identity';
import type { FastifyInstance } from 'fastify';
import { startAdmin } from './admin/admin-server.ts';
import { Metrics } from './admin/metrics.ts';
import type { ControlPlaneConfig, ControlPlaneIdentity } from './config.ts';
import { destinationDefinition, destinationService } from './destination/server.ts';
import { WatchLimit } from './limits/watch-limit.ts';
import { policyService } from './policy/server.ts';
import { registrationService } from './registration/server.ts';
import { LocalStore } from './store/local/local-store.ts';
import type { ResourceStore } from './store/store.ts';
import { meshServerCredentials } from './tls/server-credentials.ts';

/** A request to the control plane is a name and a few labels; anything near this is not one. */
export const MAX_REQUEST_BYTES = 16 * 1024;
/** What proxies accept of one destination or policy message (their own bound). */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface RunningControlPlane {
  store: ResourceStore;
  grpcPort: number;
  adminPort: number;
  metrics: Metrics;
  close(): Promise<void>;
}

export async function createStore(cfg: ControlPlaneConfig): Promise<ResourceStore> {
  if (cfg.backend === 'local') return new LocalStore(cfg);
  // The Kubernetes client weighs some 85 MB resident; the local runtime never loads it.
  const { K8sStore, loadKubeConfig } = await import('./store/k8s/k8s-store.ts');
  return new K8sStore(loadKubeConfig(cfg.kubeconfig));
}

/**
 * Holds each call until the store has loaded every kind once, so a proxy that
 * connects while the control plane starts is not told NOT_FOUND for a Service
 * that simply has not been listed yet.
 */
function afterStoreReady(store: ResourceStore, impl: UntypedServiceImplementation): UntypedServiceImplementation {
  let ready = false;
  const loaded = store.ready().then(() => {
    ready = true;
  });
  const wrapped: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(impl)) {
    wrapped[name] = ((...args: unknown[]) => {
      if (ready) return (handler as (...a: unknown[]) => void)(...args);
      void loaded.then(() => {
        // A client that gave up while we loaded has nothing left to be told.
        if (!(args[0] as { cancelled?: boolean }).cancelled) (handler as (...a: unknown[]) => void)(...args);
      });
    }) as UntypedServiceImplementation[string];
  }
  return wrapped;
}

/**
 * Builds the gRPC server (destination + policy, and registration locally) over a store.
 * Watches are limited per client; registration is the runner's alone when callers are authenticated.
 */
export function grpcServer(cfg: ControlPlaneConfig, store: ResourceStore, metrics: Metrics): Server {
  const server = new Server({
    'grpc.max_concurrent_streams': 0xffffffff,
    'grpc.max_receive_message_length': MAX_REQUEST_BYTES,
    'grpc.max_send_message_length': MAX_RESPONSE_BYTES,
  });
  const limit = new WatchLimit({ max: cfg.maxWatchesPerClient, metrics });
  const { definition, encodeUpdate, encodeProfile } = destinationDefinition();
  const encode = { update: encodeUpdate, profile: encodeProfile };
  server.addService(
    definition,
    limit.wrap(afterStoreReady(store, destinationService(store, cfg, metrics, encode)), ['Get', 'GetProfile']),
  );
  server.addService(
    loadPolicyApi().weft.policy.InboundServerPolicies.service,
    limit.wrap(afterStoreReady(store, policyService(store, cfg, metrics)), ['WatchPort']),
  );
  if (store instanceof LocalStore) {
    server.addService(
      loadRegistrationApi().weft.registration.Registration.service,
      registrationService(store, metrics, cfg.identity ? cfg.registrationIdentity : undefined),
    );
  }
  return server;
}

const bind = (server: Server, host: string, port: number, credentials: ServerCredentials) =>
  new Promise<number>((resolve, reject) => {
    const h = host.includes(':') ? `[${host}]` : host;
    server.bindAsync(`${h}:${port}`, credentials, (err, bound) => {
      if (err) return reject(err);
      ignoreStreamsClosedBeforeSeen(server);
      resolve(bound);
    });
  });

/** The control plane's own certificate, from the identity service as any workload gets one. */
async function certify(id: ControlPlaneIdentity): Promise<CertificateSource & { close(): void }> {
  const { IdentityClient, tokenFromFile } = await import('@weft/identity');
  return new IdentityClient({
    address: id.serviceAddr,
    identity: id.name,
    serverIdentity: id.serviceName,
    trustAnchorsPem: id.trustAnchorsPem,
    token: tokenFromFile(id.tokenFile),
  }).start();
}

/**
 * Starts everything the config asks for; resolves once both ports listen
 * (resources may still be loading, the certificate may not have arrived).
 * With `cfg.identity` the gRPC port serves mTLS only, with `certificates`
 * if given (tests) or else a certificate it asks the identity service for.
 */
export async function startControlPlane(
  cfg: ControlPlaneConfig,
  given?: ResourceStore,
  certificates?: CertificateSource,
): Promise<RunningControlPlane> {
  const store = given ?? (await createStore(cfg));
  const owned = cfg.identity && !certificates ? await certify(cfg.identity) : undefined;
  const source = certificates ?? owned;
  const tls = cfg.identity && source ? meshServerCredentials(source) : undefined;
  const metrics = new Metrics();
  const changes = metrics.counter('store_changes_total', 'Resource change batches applied');
  store.subscribe(() => changes());
  let ready = false;
  void store.ready().then(() => {
    ready = true;
  });
  const server = grpcServer(cfg, store, metrics);
  let admin: { app: FastifyInstance; port: number } | undefined;
  const release = () => {
    tls?.stop();
    owned?.close();
  };
  try {
    const grpcPort = await bind(
      server,
      cfg.listen.host,
      cfg.listen.port,
      tls?.credentials ?? ServerCredentials.createInsecure(),
    );
    // Ready means able to answer: resources loaded, and a certificate to answer with.
    admin = await startAdmin(cfg.admin, store, metrics, () => ready && (!tls || source?.current !== undefined));
    const adminApp = admin.app;
    return {
      store,
      grpcPort,
      adminPort: admin.port,
      metrics,
      async close() {
        // Open watches would hold a graceful shutdown forever; proxies reconnect and re-resolve.
        server.forceShutdown();
        release();
        await adminApp.close();
        await store.close();
      },
    };
  } catch (err) {
    server.forceShutdown();
    release();
    await admin?.app.close();
    await store.close();
    throw err;
  }
}
