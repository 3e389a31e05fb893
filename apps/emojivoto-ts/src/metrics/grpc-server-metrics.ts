import { ServerInterceptingCall, type ServerInterceptor } from '@grpc/grpc-js';
import { goCodeName } from '../grpc/status-text.ts';
import { Counter } from './counter.ts';

/**
 * grpc_server_handled_total with go-grpc-prometheus's names and labels, which
 * the original services export, so dashboards and the success-rate queries of
 * the workshops work on the port too.
 */
export function grpcServerMetrics(): { interceptor: ServerInterceptor; handled: Counter } {
  const handled = new Counter('grpc_server_handled_total', 'Total number of RPCs completed on the server.', [
    'grpc_type',
    'grpc_service',
    'grpc_method',
    'grpc_code',
  ]);
  const interceptor: ServerInterceptor = (methodDescriptor, call) => {
    const path = methodDescriptor.path.replace(/^\//, '');
    const slash = path.lastIndexOf('/');
    return new ServerInterceptingCall(call, {
      sendStatus(status, next) {
        handled.inc({
          grpc_type: 'unary',
          grpc_service: path.slice(0, slash),
          grpc_method: path.slice(slash + 1),
          grpc_code: goCodeName(status.code),
        });
        next(status);
      },
    });
  };
  return { interceptor, handled };
}
