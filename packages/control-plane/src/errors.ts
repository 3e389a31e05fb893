// The control plane's error catalogue. Codes are stable: logs, tests and
// operators match on them, so a code is never reused for another meaning.

export const ErrorCode = {
  /** An environment variable has a value the control plane cannot use. */
  InvalidConfig: 'WEFT_CP_INVALID_CONFIG',
  /** A YAML file in the local resource folder does not parse. */
  InvalidYaml: 'WEFT_CP_INVALID_YAML',
  /** A resource parses but breaks its kind's schema. */
  InvalidResource: 'WEFT_CP_INVALID_RESOURCE',
  /** A Get/GetProfile path that is not `name:port` of a known form. */
  InvalidAuthority: 'WEFT_CP_INVALID_AUTHORITY',
  /** The authority names no Service the control plane knows. */
  ServiceNotFound: 'WEFT_CP_SERVICE_NOT_FOUND',
  /** A context token or policy workload that is not the expected JSON. */
  InvalidWorkload: 'WEFT_CP_INVALID_WORKLOAD',
  /** A local registration lacks a field or has one that is not valid (names, ports). */
  InvalidRegistration: 'WEFT_CP_INVALID_REGISTRATION',
  /** A local registration names a pod that is already registered. */
  DuplicateRegistration: 'WEFT_CP_DUPLICATE_REGISTRATION',
  /** A list or watch request to the Kubernetes API failed. */
  KubernetesApi: 'WEFT_CP_KUBERNETES_API',
  /** A caller the mesh authenticated but that may not use this API (registration by anyone but the local runner). */
  PermissionDenied: 'WEFT_CP_PERMISSION_DENIED',
  /** A client already holds as many watches as one client may (WEFT_CP_MAX_WATCHES_PER_CLIENT). */
  TooManyWatches: 'WEFT_CP_TOO_MANY_WATCHES',
  /** An annotation the control plane reads has a value it cannot use; it is ignored, the rest of the object is not. */
  InvalidAnnotation: 'WEFT_CP_INVALID_ANNOTATION',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class ControlPlaneError extends Error {
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.name = 'ControlPlaneError';
    this.code = code;
    this.context = context;
  }
}

export const cpError = (code: ErrorCode, message: string, context?: Record<string, unknown>, cause?: unknown) =>
  new ControlPlaneError(code, message, context, cause === undefined ? undefined : { cause });

export const isControlPlaneError = (err: unknown, code?: ErrorCode): err is ControlPlaneError =>
  err instanceof ControlPlaneError && (code === undefined || err.code === code);
