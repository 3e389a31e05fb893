// @weft/identity/tls: what a TLS endpoint of the mesh needs of identity
// (certificate sources, mTLS options, peer identity checks) and nothing that
// issues or fetches certificates: no gRPC, no CA, no ASN.1 or CSR code is
// loaded by importing it. The proxy's data path imports only this.

export { ERROR_CODES, IdentityError, type IdentityErrorCode, isIdentityError } from '../errors.ts';
export {
  type CertificateSource,
  CertificateStore,
  secureContextFor,
  staticCertificateSource,
} from './certificate-source.ts';
export { checkPeerIdentity, dnsNames, peerIdentity } from './peer-identity.ts';
export {
  clientTlsOptions,
  keepServerContextFresh,
  type ServerTlsSettings,
  serverTlsOptions,
} from './tls-options.ts';
export { type WorkloadCertificate, workloadCertificate } from './workload-certificate.ts';
