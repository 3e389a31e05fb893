import { credentials } from '@grpc/grpc-js';
import { loadDestinationApi } from '@weft/api';
import type { DestinationClient } from '@weft/api/gen/weft/destination/Destination.ts';
import { loadConfig } from '../../src/config.ts';
import { type RunningControlPlane, startControlPlane } from '../../src/control-plane.ts';
import type { K8sStore } from '../../src/store/k8s/k8s-store.ts';

/**
 * A control plane over a Kubernetes store, and a destination client of it.
 * What the tests using it check is the store; the transport is tested over
 * mTLS elsewhere (mtls.test.ts), so it serves plaintext.
 */
export async function serveK8sStore(store: K8sStore): Promise<{ cp: RunningControlPlane; client: DestinationClient }> {
  const cfg = loadConfig(
    (n) =>
      ({
        WEFT_CP_BACKEND: 'k8s',
        WEFT_CP_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_CP_ADMIN_ADDR: '127.0.0.1:0',
        WEFT_CP_PLAINTEXT: 'true',
      })[n],
  );
  const cp = await startControlPlane(cfg, store);
  const client = new (loadDestinationApi().weft.destination.Destination)(
    `127.0.0.1:${cp.grpcPort}`,
    credentials.createInsecure(),
  );
  return { cp, client };
}
