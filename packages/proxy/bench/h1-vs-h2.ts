import { once } from 'node:events';
import { Agent, createServer as createH1Server, request } from 'node:http';
import { createServer as createH2Server, connect as h2Connect } from 'node:http2';
import { type AddressInfo, connect as tcpConnect } from 'node:net';
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import { createMeshCa, issueWorkloadCertificate } from '@weft/identity';

// Which transport between two proxies costs less CPU per request in Node:
// a pool of keep-alive HTTP/1.1 connections over TLS 1.3, or one multiplexed
// HTTP/2 session over TLS 1.3? Same certificates, same tiny response, same
// concurrency; prints CPU microseconds per request (client and server in this
// process) and requests per second. Run: node packages/proxy/bench/h1-vs-h2.ts

const ca = createMeshCa();
const server = issueWorkloadCertificate(ca.issuer, 'b.ns.serviceaccount.identity.weft-system.cluster.local');
const client = issueWorkloadCertificate(ca.issuer, 'a.ns.serviceaccount.identity.weft-system.cluster.local');
const tlsServerOptions = {
  key: server.keyPem,
  cert: server.certChainPem,
  ca: server.trustAnchorsPem,
  requestCert: true,
  minVersion: 'TLSv1.3' as const,
};
const tlsClientOptions = {
  key: client.keyPem,
  cert: client.certChainPem,
  ca: client.trustAnchorsPem,
  servername: server.identity,
  checkServerIdentity: () => undefined,
  minVersion: 'TLSv1.3' as const,
};
const body = Buffer.from('{"ok":true}');
const TOTAL = Number(process.env.REQUESTS ?? 20_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);

async function measure(name: string, one: () => Promise<void>): Promise<void> {
  for (let i = 0; i < 2000; i++) await one();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < TOTAL) {
        sent++;
        await one();
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `${name}: ${Math.round(TOTAL / seconds)} req/s, ${((cpu.user + cpu.system) / TOTAL).toFixed(1)} µs CPU per request`,
  );
}

// HTTP/1.1 keep-alive pool over TLS.
const h1 = createH1Server((_req, res) => {
  res.writeHead(200, { 'content-length': body.length });
  res.end(body);
});
const tls1 = createTlsServer({ ...tlsServerOptions, ALPNProtocols: ['http/1.1'] }, (s) => h1.emit('connection', s));
tls1.listen(0, '127.0.0.1');
await once(tls1, 'listening');
const port1 = (tls1.address() as AddressInfo).port;
class TlsAgent extends Agent {
  override createConnection() {
    return tlsConnect({
      socket: tcpConnect({ host: '127.0.0.1', port: port1, noDelay: true }),
      ALPNProtocols: ['http/1.1'],
      ...tlsClientOptions,
    });
  }
}
const agent = new TlsAgent({ keepAlive: true, maxSockets: CONCURRENCY });
await measure(
  'HTTP/1.1 pool over mTLS',
  () =>
    new Promise<void>((resolve) => {
      const req = request({ agent, host: '127.0.0.1', port: port1, path: '/' }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.end();
    }),
);
agent.destroy();
tls1.close();

// One HTTP/2 session over TLS.
const h2 = createH2Server();
h2.on('stream', (stream) => {
  stream.respond({ ':status': 200, 'content-length': body.length });
  stream.end(body);
});
const tls2 = createTlsServer({ ...tlsServerOptions, ALPNProtocols: ['h2'] }, (s) => h2.emit('connection', s));
tls2.listen(0, '127.0.0.1');
await once(tls2, 'listening');
const port2 = (tls2.address() as AddressInfo).port;
const session = h2Connect(`https://127.0.0.1:${port2}`, {
  createConnection: () =>
    tlsConnect({
      socket: tcpConnect({ host: '127.0.0.1', port: port2, noDelay: true }),
      ALPNProtocols: ['h2'],
      ...tlsClientOptions,
    }),
});
await measure(
  'HTTP/2 session over mTLS',
  () =>
    new Promise<void>((resolve) => {
      const stream = session.request({ ':path': '/' });
      stream.resume();
      stream.on('end', resolve);
      stream.end();
    }),
);
session.close();
tls2.close();
h2.close();
