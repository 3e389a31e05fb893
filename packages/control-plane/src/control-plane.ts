import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { ignoreStreamsClosedBeforeSeen, loadPolicyApi, loadRegistrationApi } from '@weft/api';
import type { FastifyInstance } from 'fastify';
import { startAdmin } from './admin/admin-server.ts';
import { Metrics } from './admin/metrics.ts';
import type { ControlPlaneConfig } from './config.ts';
import { destinationDefinition, destinationService } from './destination/server.ts';
import { policyService } from './policy/server.ts';
import { registrationService } from './registration/server.ts';
import { LocalStore } from './store/local/local-store.ts';
import type { ResourceStore } from './store/store.ts';

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

/** Builds the gRPC server (destination + policy, and registration locally) over a store. */
export function grpcServer(cfg: ControlPlaneConfig, store: ResourceStore, metrics: Metrics): Server {
  const server = new Server({ 'grpc.max_concurrent_streams': 0xffffffff });
  const { definition, encodeUpdate, encodeProfile } = destinationDefinition();
  const encode = { update: encodeUpdate, profile: encodeProfile };
  server.addService(definition, afterStoreReady(store, destinationService(store, cfg, metrics, encode)));
  server.addService(
    loadPolicyApi().weft.policy.InboundServerPolicies.service,
    afterStoreReady(store, policyService(store, cfg, metrics)),
  );
  if (store instanceof LocalStore) {
    server.addService(
      loadRegistrationApi().weft.registration.Registration.service,
      registrationService(store, metrics),
    );
  }
  return server;
}

const bind = (server: Server, host: string, port: number) =>
  new Promise<number>((resolve, reject) => {
    const h = host.includes(':') ? `[${host}]` : host;
    server.bindAsync(`${h}:${port}`, ServerCredentials.createInsecure(), (err, bound) => {
      if (err) return reject(err);
      ignoreStreamsClosedBeforeSeen(server);
      resolve(bound);
    });
  });

/** Starts everything the config asks for; resolves once both ports listen (resources may still be loading). */
export async function startControlPlane(cfg: ControlPlaneConfig, given?: ResourceStore): Promise<RunningControlPlane> {
  const store = given ?? (await createStore(cfg));
  const metrics = new Metrics();
  const changes = metrics.counter('store_changes_total', 'Resource change batches applied');
  store.subscribe(() => changes());
  let ready = false;
  void store.ready().then(() => {
    ready = true;
  });
  const server = grpcServer(cfg, store, metrics);
  let admin: { app: FastifyInstance; port: number } | undefined;
  try {
    const grpcPort = await bind(server, cfg.listen.host, cfg.listen.port);
    admin = await startAdmin(cfg.admin, store, metrics, () => ready);
    const adminApp = admin.app;
    return {
      store,
      grpcPort,
      adminPort: admin.port,
      metrics,
      async close() {
        // Open watches would hold a graceful shutdown forever; proxies reconnect and re-resolve.
        server.forceShutdown();
        await adminApp.close();
        await store.close();
      },
    };
  } catch (err) {
    server.forceShutdown();
    await admin?.app.close();
    await store.close();
    throw err;
  }
}
