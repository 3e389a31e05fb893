import { PeakEwma } from '../balance/peak-ewma.ts';
import { Breaker } from '../breaker/breaker.ts';
import { BREAKER_OFF, type BreakerSettings, sameBreakerSettings } from '../breaker/settings.ts';
import type { H1Upstream } from '../http/h1-forward.ts';
import type { H2Upstream } from '../http/h2-forward.ts';
import { H2Session } from '../http/h2-pool.ts';
import { PooledAgent } from '../http/pooled-agent.ts';
import { defaultClassify, type RequestSeries } from '../metrics/http.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { TcpSeries } from '../metrics/tcp.ts';
import type { EndpointMeta } from '../resolve/update.ts';
import type { Timeouts } from '../settings/listener.ts';
import type { LocalIdentity } from '../tls/local-identity.ts';

// One discovered endpoint of a logical service: its connection pools (HTTP/1
// keep-alive, one HTTP/2 session), its load estimate, and its metric series.
// A removed endpoint drains: no new requests, pools closed once idle.

export class Endpoint implements H1Upstream, H2Upstream {
  readonly meta: EndpointMeta;
  readonly host: string;
  readonly port: number;
  readonly name: string;
  readonly agent: PooledAgent;
  readonly h2: H2Session;
  readonly ewma: PeakEwma;
  readonly series: RequestSeries;
  /** Connections to it (peer="dst"), pooled or opaque. */
  readonly tcp: TcpSeries;
  /** Reached over mTLS: a peer proxy, so HTTP/1 travels upgraded to HTTP/2 (ADR 0002). */
  readonly meshed: boolean;
  /** The service this endpoint was discovered for. */
  readonly authority: string;
  inflight = 0;
  draining = false;
  /** Failure accrual; undefined when off. Replaced when the service's settings change. */
  breaker: Breaker | undefined;

  constructor(
    authority: string,
    meta: EndpointMeta,
    identity: LocalIdentity | undefined,
    timeouts: Timeouts,
    metrics: Metrics,
    breaker: BreakerSettings = BREAKER_OFF,
    onBreakerChange: () => void = () => {},
  ) {
    this.useBreaker(breaker, onBreakerChange);
    this.meta = meta;
    this.authority = authority;
    this.host = meta.host;
    this.port = meta.port;
    this.name = `${authority} endpoint ${meta.key}`;
    this.ewma = new PeakEwma(performance.now());
    const meshed = meta.tls !== undefined && identity !== undefined;
    this.meshed = meshed;
    const tls: Record<string, string> = meshed
      ? { tls: 'true', server_id: meta.tls?.name ?? '' }
      : { tls: 'no_identity', no_tls_reason: meta.tls ? 'no_local_identity' : 'not_provided_by_service_discovery' };
    const target = { target_addr: meta.key, target_ip: meta.host, target_port: String(meta.port) };
    this.series = metrics.http({ direction: 'outbound', authority, ...target, ...tls, ...meta.labels });
    const tcp = metrics.tcp({ direction: 'outbound', peer: 'dst', authority, ...target, ...tls, ...meta.labels });
    this.tcp = tcp;
    const connectTarget = { host: meta.host, port: meta.port, tls: meshed ? meta.tls : undefined };
    this.agent = new PooledAgent(connectTarget, identity, timeouts.connectMs, tcp);
    this.h2 = new H2Session(connectTarget, identity, timeouts.connectMs, tcp);
  }

  /**
   * Applies the service's failure accrual. Different settings start the count
   * afresh, as a rebuilt balancer would (an ejected endpoint is readmitted),
   * but pools, load estimate and requests in flight stay: a response still on
   * its way is counted by the new breaker.
   */
  useBreaker(settings: BreakerSettings, onChange: () => void): void {
    if (sameBreakerSettings(this.breaker?.settings ?? BREAKER_OFF, settings)) return;
    this.breaker?.close();
    this.breaker = settings.consecutive > 0 ? new Breaker(settings, onChange) : undefined;
  }

  load(now: number): number {
    return this.ewma.load(now);
  }

  started(): void {
    this.ewma.pending++;
    this.inflight++;
    this.breaker?.started();
  }

  /** The outcome of one attempt, for failure accrual. */
  result(status: number, grpcStatus: number): void {
    this.breaker?.record(defaultClassify(status, grpcStatus));
  }

  responded(latencyMs: number): void {
    this.ewma.pending--;
    this.ewma.observe(latencyMs, performance.now());
  }

  finished(): void {
    this.inflight--;
    if (this.draining && this.inflight === 0) this.#close();
  }

  drain(): void {
    this.draining = true;
    if (this.inflight === 0) this.#close();
  }

  #close(): void {
    this.breaker?.close();
    this.agent.destroy();
    this.h2.close();
  }
}
