import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import type { Leaf } from './certs.ts';

// The reference: an nginx mTLS pair, one worker each, keep-alive pools both
// hops, TLS 1.3 with the same certificates as the Weft pair. Each also has an
// HTTP/2 server that forwards with grpc_pass (HTTP/2 end to end, h2c at both
// ends), the baseline for HTTP/2 and gRPC.

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

function common(dir: string, name: string): string {
  const tmp = join(dir, `tmp-${name}`);
  mkdirSync(tmp, { recursive: true });
  return `user root;
worker_processes 1;
daemon off;
pid ${join(dir, `${name}.pid`)};
error_log ${join(dir, `${name}-error.log`)} warn;
events { worker_connections 4096; }
`;
}

function temps(dir: string, name: string): string {
  const tmp = join(dir, `tmp-${name}`);
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((k) => `  ${k}_temp_path ${join(tmp, k)};`)
    .join('\n');
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not open port ${port}`);
}

export interface NginxPair {
  readonly outboundPort: number;
  /** h2c (prior knowledge) into the pair's HTTP/2 servers. */
  readonly outboundH2Port: number;
  readonly outbound: ChildProcess;
  readonly inbound: ChildProcess;
}

export async function startNginxPair(
  dir: string,
  backendPort: number,
  ca: string,
  server: Leaf,
  client: Leaf,
): Promise<NginxPair> {
  const inPort = await freePort();
  const outPort = await freePort();
  const inH2Port = await freePort();
  const outH2Port = await freePort();
  const inConf = join(dir, 'nginx-in.conf');
  const outConf = join(dir, 'nginx-out.conf');
  writeFileSync(
    inConf,
    `${common(dir, 'in')}http {
  access_log off;
${temps(dir, 'in')}
  upstream app { server 127.0.0.1:${backendPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${inPort} ssl;
    ssl_certificate ${server.cert};
    ssl_certificate_key ${server.key};
    ssl_protocols TLSv1.3;
    ssl_verify_client on;
    ssl_client_certificate ${ca};
    keepalive_requests 1000000;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header weft-client-id $ssl_client_s_dn;
    }
  }
  upstream app_h2 { server 127.0.0.1:${backendPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${inH2Port} ssl http2;
    ssl_certificate ${server.cert};
    ssl_certificate_key ${server.key};
    ssl_protocols TLSv1.3;
    ssl_verify_client on;
    ssl_client_certificate ${ca};
    keepalive_requests 1000000;
    http2_max_requests 1000000;
    location / {
      grpc_pass grpc://app_h2;
      grpc_set_header weft-client-id $ssl_client_s_dn;
    }
  }
}
`,
  );
  writeFileSync(
    outConf,
    `${common(dir, 'out')}http {
  access_log off;
${temps(dir, 'out')}
  upstream peer { server 127.0.0.1:${inPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${outPort};
    keepalive_requests 1000000;
    location / {
      proxy_pass https://peer;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_ssl_certificate ${client.cert};
      proxy_ssl_certificate_key ${client.key};
      proxy_ssl_trusted_certificate ${ca};
      proxy_ssl_verify on;
      proxy_ssl_name ${server.identity};
      proxy_ssl_server_name on;
      proxy_ssl_protocols TLSv1.3;
      proxy_ssl_session_reuse on;
    }
  }
  upstream peer_h2 { server 127.0.0.1:${inH2Port}; keepalive 64; }
  server {
    listen 127.0.0.1:${outH2Port} http2;
    keepalive_requests 1000000;
    http2_max_requests 1000000;
    location / {
      grpc_pass grpcs://peer_h2;
      grpc_ssl_certificate ${client.cert};
      grpc_ssl_certificate_key ${client.key};
      grpc_ssl_trusted_certificate ${ca};
      grpc_ssl_verify on;
      grpc_ssl_name ${server.identity};
      grpc_ssl_server_name on;
      grpc_ssl_protocols TLSv1.3;
      grpc_ssl_session_reuse on;
    }
  }
}
`,
  );
  const inbound = spawn('nginx', ['-c', inConf, '-p', dir], { stdio: 'ignore' });
  const outbound = spawn('nginx', ['-c', outConf, '-p', dir], { stdio: 'ignore' });
  await waitForPort(inPort);
  await waitForPort(outPort);
  await waitForPort(inH2Port);
  await waitForPort(outH2Port);
  return { outboundPort: outPort, outboundH2Port: outH2Port, outbound, inbound };
}
