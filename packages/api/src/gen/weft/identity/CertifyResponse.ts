// Original file: proto/identity.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';

export interface CertifyResponse {
  /**
   * DER-encoded leaf certificate.
   */
  'leafCertificate'?: (Buffer | Uint8Array | string);
  /**
   * DER-encoded issuer chain, leaf's issuer first, trust anchor excluded.
   */
  'intermediateCertificates'?: (Buffer | Uint8Array | string)[];
  'validUntil'?: (_google_protobuf_Timestamp | null);
}

export interface CertifyResponse__Output {
  /**
   * DER-encoded leaf certificate.
   */
  'leafCertificate': (Buffer);
  /**
   * DER-encoded issuer chain, leaf's issuer first, trust anchor excluded.
   */
  'intermediateCertificates': (Buffer)[];
  'validUntil': (_google_protobuf_Timestamp__Output | null);
}
