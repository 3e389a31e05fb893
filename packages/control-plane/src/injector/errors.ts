// The injector's error codes. They live beside the injector so the transform
// can be used offline (by `weft inject`) without the rest of the control plane;
// the codes follow the package's WEFT_CP_* scheme and are stable.

export const InjectorErrorCode = {
  /** A `config.weft.dev/*` annotation or flag whose value cannot be used. */
  InvalidAnnotation: 'WEFT_CP_INJECT_INVALID_ANNOTATION',
  /** An AdmissionReview that is not JSON, lacks `request`, or carries no Pod. */
  InvalidReview: 'WEFT_CP_INJECT_INVALID_REVIEW',
  /** The namespace's annotations could not be read from the API server. */
  NamespaceLookup: 'WEFT_CP_INJECT_NAMESPACE_LOOKUP',
  /** An injector setting (environment variable or file) that does not parse. */
  InvalidConfig: 'WEFT_CP_INJECT_INVALID_CONFIG',
  /** A JSON patch that does not apply to its document. */
  InvalidPatch: 'WEFT_CP_INJECT_INVALID_PATCH',
  /** proxy-init found no iptables binaries (of the chosen backend or any other) on PATH. */
  NoIptables: 'WEFT_CP_INJECT_NO_IPTABLES',
  /** proxy-init ran without the rights to change the firewall (not root / no CAP_NET_ADMIN). */
  IptablesPermission: 'WEFT_CP_INJECT_IPTABLES_PERMISSION',
  /** iptables refused proxy-init's rules or could not list the nat table. */
  IptablesFailed: 'WEFT_CP_INJECT_IPTABLES_FAILED',
  /** A fault inside the injector itself; the pod is still admitted. */
  Internal: 'WEFT_CP_INJECT_INTERNAL',
} as const;

export type InjectorErrorCode = (typeof InjectorErrorCode)[keyof typeof InjectorErrorCode];

export class InjectorError extends Error {
  readonly code: InjectorErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: InjectorErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(`${code}: ${message}`);
    this.name = 'InjectorError';
    this.code = code;
    this.context = context;
  }
}

export const isInjectorError = (err: unknown, code?: InjectorErrorCode): err is InjectorError =>
  err instanceof InjectorError && (code === undefined || err.code === code);
