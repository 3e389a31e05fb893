// gRPC status codes by name, as tap prints them (grpc-status=Unknown). No
// Node imports: the dashboard's tap page names codes with it too.

const GRPC_NAMES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];

export function grpcStatusName(code: number): string {
  return GRPC_NAMES[code] ?? `Code(${code})`;
}

/** gRPC codes Linkerd classifies as failures. */
export const GRPC_FAILURES: ReadonlySet<number> = new Set([2, 4, 7, 13, 14, 15]);
