import type { ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Registered } from '@weft/api/gen/weft/registration/Registered.ts';
import type { Workload__Output } from '@weft/api/gen/weft/registration/Workload.ts';
import type { Metrics } from '../admin/metrics.ts';
import { cpError, ErrorCode } from '../errors.ts';
import { grpcStatusOf } from '../grpc-status.ts';
import type { LocalStore } from '../store/local/local-store.ts';
import type { LocalWorkload } from '../store/local/registry.ts';
import { callerOf } from '../tls/client-identity.ts';

export function toLocalWorkload(w: Workload__Output): LocalWorkload {
  return {
    namespace: w.namespace || 'default',
    service: w.service,
    pod: w.pod,
    deployment: w.deployment,
    serviceAccount: w.serviceAccount || 'default',
    ip: w.address?.ip ?? '',
    port: w.address?.port ?? 0,
    servicePort: w.servicePort,
    meshed: w.meshed,
    inboundPort: w.inboundPort,
    opaque: w.opaque,
    labels: { ...w.labels },
    annotations: { ...w.annotations },
  };
}

/**
 * weft.registration.Registration, served only by the local backend. The
 * workload exists while the Register stream is open: the runner keeps one
 * stream per workload and a crash (or a killed runner) removes its endpoints.
 * Over mTLS only `runnerIdentity` may register: any other workload of the
 * mesh could otherwise put itself behind a Service it does not back.
 */
export function registrationService(
  store: LocalStore,
  metrics: Metrics,
  runnerIdentity: string | undefined,
): UntypedServiceImplementation {
  const gauge = metrics.gauge('registered_workloads', 'Workloads registered by the local runner');
  let count = 0;
  return {
    Register(call: ServerWritableStream<Workload__Output, Registered>) {
      let registration: ReturnType<LocalStore['register']>;
      try {
        const caller = callerOf(call);
        if (runnerIdentity !== undefined && caller.identity !== runnerIdentity) {
          throw cpError(
            ErrorCode.PermissionDenied,
            `only ${runnerIdentity} may register workloads, not ${caller.identity ?? 'an unauthenticated client'}`,
          );
        }
        registration = store.register(toLocalWorkload(call.request));
      } catch (err) {
        call.emit('error', grpcStatusOf(err));
        return;
      }
      gauge({}, ++count);
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        registration.unregister();
        gauge({}, --count);
      };
      call.once('cancelled', end);
      call.once('close', end);
      call.once('error', end);
      call.write({ identity: registration.identity });
    },
  };
}
