import type { ConnectionOptions, Server, TlsOptions } from 'node:tls';
import { ERROR_CODES, identityError } from '../errors.ts';
import type { CertificateSource } from './certificate-source.ts';
import { checkPeerIdentity } from './peer-identity.ts';

// node:tls options for mTLS between proxies: TLS 1.3 only, the mesh's trust
// anchors only, and certificates that rotate under a live server.

export interface ServerTlsSettings {
  /** Refuse clients without a mesh certificate (default true). False admits them unauthenticated. */
  readonly requireClientCertificate?: boolean;
}

/**
 * Options for tls.createServer or `new TLSSocket(socket, { isServer: true, ...})`.
 * The SNICallback hands every new handshake the source's current context, so
 * a rotation reaches new connections while open ones keep the certificate
 * they started with. Mesh clients always send SNI (the server's identity).
 */
export function serverTlsOptions(source: CertificateSource, settings: ServerTlsSettings = {}): TlsOptions {
  const current = source.current;
  if (!current) throw identityError(ERROR_CODES.NOT_READY, `no certificate yet for ${source.identity}`);
  return {
    key: current.keyPem,
    cert: current.certChainPem,
    ca: current.trustAnchorsPem,
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    requestCert: true,
    rejectUnauthorized: settings.requireClientCertificate ?? true,
    secureContext: source.secureContext(),
    SNICallback: (_servername, callback) => {
      try {
        callback(null, source.secureContext());
      } catch (err) {
        callback(err as Error, undefined);
      }
    },
  };
}

/**
 * Keeps a tls.Server's default context (used by clients that send no SNI) on
 * the current certificate. Returns the function that stops it.
 */
export function keepServerContextFresh(server: Server, source: CertificateSource): () => void {
  return source.onRotate((certificate) => {
    server.setSecureContext({
      key: certificate.keyPem,
      cert: certificate.certChainPem,
      ca: certificate.trustAnchorsPem,
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
    });
  });
}

/**
 * Options for tls.connect to a meshed server whose identity is `serverIdentity`,
 * sending `serverName` as SNI (the identity unless discovery names another).
 * Call it per connection: each call takes the source's current context.
 */
export function clientTlsOptions(
  source: Pick<CertificateSource, 'secureContext'>,
  serverIdentity: string,
  serverName = serverIdentity,
): ConnectionOptions {
  return {
    secureContext: source.secureContext(),
    servername: serverName,
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    rejectUnauthorized: true,
    checkServerIdentity: (_host, certificate) => checkPeerIdentity(certificate, serverIdentity),
  };
}
