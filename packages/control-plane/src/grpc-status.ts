import { status } from '@grpc/grpc-js';
import { ErrorCode, isControlPlaneError } from './errors.ts';

/** Maps our errors to gRPC statuses; anything unexpected is INTERNAL and the stream ends, the server stays up. */
export function grpcStatusOf(err: unknown): { code: status; details: string } {
  if (isControlPlaneError(err)) {
    if (err.code === ErrorCode.DuplicateRegistration) return { code: status.ALREADY_EXISTS, details: err.message };
    if (err.code === ErrorCode.PermissionDenied) return { code: status.PERMISSION_DENIED, details: err.message };
    if (err.code === ErrorCode.TooManyWatches) return { code: status.RESOURCE_EXHAUSTED, details: err.message };
    const code =
      err.code === ErrorCode.ServiceNotFound
        ? status.NOT_FOUND
        : err.code === ErrorCode.InvalidAuthority ||
            err.code === ErrorCode.InvalidWorkload ||
            err.code === ErrorCode.InvalidRegistration
          ? status.INVALID_ARGUMENT
          : status.INTERNAL;
    return { code, details: err.message };
  }
  return { code: status.INTERNAL, details: String((err as Error)?.message ?? err) };
}
