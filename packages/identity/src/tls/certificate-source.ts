import { createSecureContext, type SecureContext } from 'node:tls';
import { ERROR_CODES, identityError } from '../errors.ts';
import type { WorkloadCertificate } from './workload-certificate.ts';

/**
 * Where a TLS endpoint gets its current certificate. The identity client is
 * one; `staticCertificateSource` wraps a certificate issued in-process.
 */
export interface CertificateSource {
  readonly identity: string;
  /** The certificate to use now; undefined until the first one arrives. */
  readonly current: WorkloadCertificate | undefined;
  /** Resolves with the first certificate (at once if there already is one). */
  ready(): Promise<WorkloadCertificate>;
  /** Calls `listener` with every new certificate; returns the unsubscribe function. */
  onRotate(listener: (certificate: WorkloadCertificate) => void): () => void;
  /** A TLS 1.3 SecureContext for the current certificate, built once per rotation. */
  secureContext(): SecureContext;
}

export function secureContextFor(certificate: WorkloadCertificate): SecureContext {
  return createSecureContext({
    key: certificate.keyPem,
    cert: certificate.certChainPem,
    ca: certificate.trustAnchorsPem,
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
  });
}

/** Holds the current certificate and tells listeners when it changes. */
export class CertificateStore implements CertificateSource {
  readonly identity: string;
  #current: WorkloadCertificate | undefined;
  #context: SecureContext | undefined;
  readonly #listeners = new Set<(certificate: WorkloadCertificate) => void>();
  readonly #ready: Promise<WorkloadCertificate>;
  #resolveReady: (certificate: WorkloadCertificate) => void = () => {};

  constructor(identity: string) {
    this.identity = identity;
    this.#ready = new Promise((resolve) => {
      this.#resolveReady = resolve;
    });
  }

  get current(): WorkloadCertificate | undefined {
    return this.#current;
  }

  ready(): Promise<WorkloadCertificate> {
    return this.#ready;
  }

  onRotate(listener: (certificate: WorkloadCertificate) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  secureContext(): SecureContext {
    if (!this.#current) {
      throw identityError(ERROR_CODES.NOT_READY, `no certificate yet for ${this.identity}`, {
        identity: this.identity,
      });
    }
    this.#context ??= secureContextFor(this.#current);
    return this.#context;
  }

  /** Installs a new certificate: new handshakes use it, open connections keep theirs. */
  set(certificate: WorkloadCertificate): void {
    if (certificate.identity !== this.identity) {
      throw identityError(
        ERROR_CODES.INVALID_RESPONSE,
        `certificate is for ${certificate.identity}, not ${this.identity}`,
      );
    }
    this.#current = certificate;
    this.#context = undefined;
    this.#resolveReady(certificate);
    for (const listener of this.#listeners) listener(certificate);
  }
}

/** A source that always serves one certificate (tests, or a certificate issued in-process). */
export function staticCertificateSource(certificate: WorkloadCertificate): CertificateSource {
  const store = new CertificateStore(certificate.identity);
  store.set(certificate);
  return store;
}
