import type { H1Upstream } from '../http/h1-forward.ts';
import type { H2Upstream } from '../http/h2-forward.ts';
import { H2Session } from '../http/h2-pool.ts';
import { PooledAgent } from '../http/pooled-agent.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { Timeouts } from '../settings/listener.ts';

// The local application, as the inbound side's only upstream: plaintext over
// loopback, a keep-alive pool for HTTP/1 and one h2c session for HTTP/2.

export class AppUpstream implements H1Upstream, H2Upstream {
  readonly host: string;
  readonly port: number;
  readonly name: string;
  readonly agent: PooledAgent;
  readonly h2: H2Session;
  inflight = 0;

  constructor(host: string, port: number, timeouts: Timeouts, metrics: Metrics) {
    this.host = host;
    this.port = port;
    this.name = `app ${host}:${port}`;
    const target = { host, port, tls: undefined };
    const tcp = metrics.tcp({ direction: 'inbound', peer: 'dst', target_addr: `${host}:${port}`, tls: 'disabled' });
    this.agent = new PooledAgent(target, undefined, timeouts.connectMs, tcp);
    this.h2 = new H2Session(target, undefined, timeouts.connectMs, tcp);
  }

  started(): void {
    this.inflight++;
  }
  responded(): void {}
  finished(): void {
    this.inflight--;
  }

  close(): void {
    this.agent.destroy();
    this.h2.close();
  }
}
