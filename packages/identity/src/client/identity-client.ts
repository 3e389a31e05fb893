import type { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SecureContext } from 'node:tls';
import { createCsr } from '../ca/csr.ts';
import { generateP256KeyPair, privateKeyPem, spkiDer } from '../ca/keys.ts';
import { parseTrustAnchors } from '../ca/trust.ts';
import { type Clock, systemClock, type TimerHandle } from '../clock.ts';
import { type Logger, streamLogger } from '../log.ts';
import { MetricsRegistry } from '../metrics/registry.ts';
import { type CertificateSource, CertificateStore } from '../tls/certificate-source.ts';
import type { WorkloadCertificate } from '../tls/workload-certificate.ts';
import { type CertifyChannel, describeCallError, openCertifyChannel } from './certify-rpc.ts';
import { type ClientMetrics, registerClientMetrics } from './client-metrics.ts';
import { DEFAULT_REFRESH_POLICY, type RefreshPolicy, renewalDelay, retryDelay } from './refresh-policy.ts';
import { certificateFromResponse } from './verify-response.ts';

/** Where the proof of identity comes from; read again before every Certify, since tokens rotate. */
export type TokenSource = () => Promise<Buffer | string> | Buffer | string;

/** A token source reading a file (a projected ServiceAccount token, or one the local runner wrote). */
export const tokenFromFile =
  (path: string): TokenSource =>
  () =>
    readFile(path);

export interface IdentityClientOptions {
  /** host:port of the identity service. */
  readonly address: string;
  /** This workload's identity name. */
  readonly identity: string;
  readonly token: TokenSource;
  readonly trustAnchorsPem: string;
  /** The identity service's own identity name, checked on its certificate. */
  readonly serverIdentity: string;
  readonly refresh?: Partial<RefreshPolicy>;
  /** Deadline of one Certify call (default 10 s). */
  readonly certifyTimeoutMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Where the client's series go; the proxy passes its own registry to merge them into /metrics. */
  readonly metrics?: MetricsRegistry;
  readonly random?: () => number;
}

/**
 * Holds this workload's certificate: makes the key in process (it is never
 * written or sent), certifies it, renews at 70 % of the remaining lifetime,
 * and retries with back-off while identity is unreachable. A TLS endpoint
 * reads `current`/`secureContext()` per handshake, so a renewal reaches new
 * connections and leaves open ones alone.
 */
export class IdentityClient implements CertificateSource {
  readonly identity: string;
  readonly metrics: MetricsRegistry;
  readonly #options: IdentityClientOptions;
  readonly #policy: RefreshPolicy;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #store: CertificateStore;
  readonly #keyPem: string;
  readonly #spki: Buffer;
  readonly #csr: Buffer;
  readonly #anchors: readonly X509Certificate[];
  readonly #metrics: ClientMetrics;
  #channel: CertifyChannel | undefined;
  #timer: TimerHandle | undefined;
  #failures = 0;
  #closed = false;

  constructor(options: IdentityClientOptions) {
    this.identity = options.identity;
    this.#options = options;
    this.#policy = { ...DEFAULT_REFRESH_POLICY, ...options.refresh };
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? streamLogger(process.stderr, 'identity-client');
    this.#anchors = parseTrustAnchors(options.trustAnchorsPem);
    this.#store = new CertificateStore(options.identity);
    // One key for the life of the process, as Linkerd's proxy does; it exists only in memory.
    const { privateKey } = generateP256KeyPair();
    this.#keyPem = privateKeyPem(privateKey);
    this.#spki = spkiDer(privateKey);
    this.#csr = createCsr(options.identity, privateKey);
    this.metrics = options.metrics ?? new MetricsRegistry();
    this.#metrics = registerClientMetrics(this.metrics, this);
  }

  get current(): WorkloadCertificate | undefined {
    return this.#store.current;
  }

  /** True once a certificate is held; a proxy's /ready follows this. */
  get isReady(): boolean {
    return this.#store.current !== undefined;
  }

  ready(): Promise<WorkloadCertificate> {
    return this.#store.ready();
  }

  onRotate(listener: (certificate: WorkloadCertificate) => void): () => void {
    return this.#store.onRotate(listener);
  }

  secureContext(): SecureContext {
    return this.#store.secureContext();
  }

  /** Starts certifying at once; returns this so `new IdentityClient(o).start()` reads naturally. */
  start(): this {
    if (!this.#closed && !this.#channel) {
      this.#channel = openCertifyChannel(this.#options);
      this.#schedule(0);
    }
    return this;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#channel?.close();
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#refresh();
    }, delayMs);
  }

  async #refresh(): Promise<void> {
    const channel = this.#channel;
    if (!channel || this.#closed) return;
    try {
      const token = await this.#options.token();
      const response = await channel.certify(
        { identity: this.identity, token: Buffer.from(token), certificateSigningRequest: this.#csr },
        this.#options.certifyTimeoutMs ?? 10_000,
      );
      const now = this.#clock.now();
      const certificate = certificateFromResponse(response, {
        identity: this.identity,
        keyPem: this.#keyPem,
        subjectPublicKeyInfo: this.#spki,
        trustAnchors: this.#anchors,
        trustAnchorsPem: this.#options.trustAnchorsPem,
        now,
      });
      if (this.#closed) return;
      this.#failures = 0;
      this.#metrics.refreshed('ok', now);
      const delay = renewalDelay(certificate.expiresAt.getTime(), now, this.#policy);
      this.#logger.log('info', 'certified identity', {
        identity: this.identity,
        expiry: certificate.expiresAt.toISOString(),
        renew_in_s: Math.round(delay / 1000),
      });
      this.#store.set(certificate);
      this.#schedule(delay);
    } catch (err) {
      if (this.#closed) return;
      // A fresh channel per retry: grpc-js would otherwise fail calls fast
      // during its own reconnect back-off, on a schedule this client does not set.
      channel.close();
      this.#channel = openCertifyChannel(this.#options);
      this.#failures++;
      this.#metrics.refreshed('failure', this.#clock.now());
      const delay = retryDelay(this.#failures, this.#policy, this.#options.random);
      this.#logger.log('warn', 'failed to certify identity; retrying', {
        identity: this.identity,
        error: describeCallError(err),
        attempt: this.#failures,
        retry_in_ms: delay,
        holding_certificate: this.isReady,
      });
      this.#schedule(delay);
    }
  }
}
