// Original file: proto/identity.proto


export interface CertifyRequest {
  /**
   * <sa>.<ns>.serviceaccount.identity.<control-plane-ns>.<trust-domain>
   */
  'identity'?: (string);
  /**
   * A ServiceAccount token on Kubernetes, a runner-minted token locally.
   */
  'token'?: (Buffer | Uint8Array | string);
  /**
   * DER-encoded PKCS#10 request whose only DNS SAN is `identity`.
   */
  'certificateSigningRequest'?: (Buffer | Uint8Array | string);
}

export interface CertifyRequest__Output {
  /**
   * <sa>.<ns>.serviceaccount.identity.<control-plane-ns>.<trust-domain>
   */
  'identity': (string);
  /**
   * A ServiceAccount token on Kubernetes, a runner-minted token locally.
   */
  'token': (Buffer);
  /**
   * DER-encoded PKCS#10 request whose only DNS SAN is `identity`.
   */
  'certificateSigningRequest': (Buffer);
}
