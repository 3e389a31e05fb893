// @weft/identity: the mesh's certificate authority, the Certify service, and
// the client a proxy uses to hold and rotate its certificate.

export { type CaCertificate, type CaOptions, createIssuer, createTrustAnchor } from './ca/authority.ts';
export { checkCsrForIdentity, createCsr, type ParsedCsr, parseCsr } from './ca/csr.ts';
export { createMeshCa, type InProcessLeafOptions, issueWorkloadCertificate, type MeshCa } from './ca/in-process.ts';
export {
  DEFAULT_CLOCK_SKEW_MS,
  DEFAULT_LEAF_LIFETIME_MS,
  type IssuedLeaf,
  Issuer,
  type IssuerPem,
  type LeafRequest,
} from './ca/issuer.ts';
export {
  IssuerDirectory,
  type IssuerDirOptions,
  type IssuerFiles,
  type IssuerProvider,
  type ReloadResult,
  readIssuerDir,
  staticIssuer,
} from './ca/issuer-source.ts';
export { generateP256KeyPair } from './ca/keys.ts';
export {
  DEFAULT_CONTROL_PLANE_NAMESPACE,
  DEFAULT_TRUST_DOMAIN,
  type IdentityDomain,
  identityName,
  parseIdentityName,
} from './ca/names.ts';
export { type CertifyChannel, type CertifyChannelOptions, openCertifyChannel } from './client/certify-rpc.ts';
export { CLIENT_METRICS } from './client/client-metrics.ts';
export {
  IdentityClient,
  type IdentityClientOptions,
  type TokenSource,
  tokenFromFile,
} from './client/identity-client.ts';
export { DEFAULT_REFRESH_POLICY, type RefreshPolicy, renewalDelay, retryDelay } from './client/refresh-policy.ts';
export { type Clock, systemClock, type TimerHandle } from './clock.ts';
export { ENV, type IdentityConfig, parseConfig, parseDuration, type TokenMode } from './config.ts';
export { formatLogLine, type Logger, type LogLevel, silentLogger, streamLogger } from './log.ts';
export { type Counter, type Gauge, MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from './metrics/registry.ts';
export { type AdminServer, type AdminServerOptions, startAdminServer } from './server/admin-server.ts';
export {
  type IdentityServer,
  type IdentityServerOptions,
  MAX_REQUEST_BYTES,
  startIdentityServer,
} from './server/identity-server.ts';
export { identityServiceName, RotatingServerCredentials } from './server/self-certificate.ts';
export { SERVER_METRICS } from './server/server-metrics.ts';
export * from './tls/index.ts';
export {
  createLocalTokenKey,
  DEFAULT_LOCAL_TOKEN_TTL_MS,
  type LocalTokenClaims,
  localTokenValidator,
  type MintOptions,
  mintLocalToken,
  readLocalTokenKey,
} from './tokens/local-token.ts';
export {
  identityOfUsername,
  inClusterTokenReviewOptions,
  type TokenReviewOptions,
  tokenReviewValidator,
} from './tokens/token-review.ts';
export { MAX_TOKEN_BYTES, TOKEN_AUDIENCE, type TokenValidator } from './tokens/token-validator.ts';
