import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promtoolProblems } from '@weft/api/testing/promtool';
import {
  createLocalTokenKey,
  createMeshCa,
  type IdentityServer,
  identityName,
  issueWorkloadCertificate,
  localTokenValidator,
  mintLocalToken,
  silentLogger,
  startIdentityServer,
  staticIssuer,
} from '@weft/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDestination } from './support/destination-server.ts';
import { type ProxyProcess, startProxyProcess } from './support/proxy-process.ts';

// The shipped process end to end: two proxies (src/main.ts) get their
// certificates from the real identity service, find each other through the
// destination API (itself reached over mTLS once they are certified), and
// carry a request over mTLS.

const DOMAIN = { trustDomain: 'cluster.local', controlPlaneNamespace: 'weft-system' };
const SERVICE = 'emoji-svc.emojivoto.svc.cluster.local:8080';
const WEB = identityName('web', 'emojivoto', DOMAIN);
const EMOJI = identityName('emoji', 'emojivoto', DOMAIN);
const CONTROL_PLANE = identityName('weft-destination', 'weft-system', DOMAIN);

let identity: IdentityServer;
let destination: TestDestination;
let app: Server;
let dir: string;
const proxies: ProxyProcess[] = [];
const ca = createMeshCa();
const key = createLocalTokenKey();

async function startProxy(name: string, env: Record<string, string>): Promise<ProxyProcess['listening']> {
  const tokenFile = join(dir, `${name}.token`);
  writeFileSync(tokenFile, mintLocalToken({ identity: name, key }));
  const proxy = await startProxyProcess({
    WEFT_PROXY_DESTINATION_ADDR: `127.0.0.1:${destination.port}`,
    WEFT_PROXY_DESTINATION_SVC_NAME: CONTROL_PLANE,
    WEFT_PROXY_IDENTITY_LOCAL_NAME: name,
    WEFT_PROXY_IDENTITY_TRUST_ANCHORS: ca.trustAnchorsPem,
    WEFT_PROXY_IDENTITY_SVC_ADDR: identity.address,
    WEFT_PROXY_IDENTITY_SVC_NAME: identity.serverIdentity,
    WEFT_PROXY_IDENTITY_TOKEN_FILE: tokenFile,
    WEFT_PROXY_SHUTDOWN_GRACE_PERIOD: '1s',
    ...env,
  });
  proxies.push(proxy);
  return proxy.listening;
}

async function untilReady(admin: number): Promise<number> {
  const deadline = Date.now() + 15_000;
  let status = 0;
  while (status !== 200 && Date.now() < deadline) {
    status = (await fetch(`http://127.0.0.1:${admin}/ready`)).status;
    if (status !== 200) await new Promise((r) => setTimeout(r, 50));
  }
  return status;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weft-proxy-id-'));
  identity = await startIdentityServer({
    listen: '127.0.0.1:0',
    issuers: staticIssuer(ca.issuer),
    tokens: localTokenValidator(key),
    domain: DOMAIN,
    logger: silentLogger,
  });
  destination = new TestDestination();
  await destination.start(0, issueWorkloadCertificate(ca.issuer, CONTROL_PLANE));
  app = createServer((req, res) => res.end(`hello ${req.headers['weft-client-id']}`));
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
});

afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.kill()));
  destination.stop();
  await identity.close();
  app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('proxies certified by the identity service', () => {
  it('become ready with a certificate and carry a request over mTLS', async () => {
    const server = await startProxy(EMOJI, {
      WEFT_PROXY_INBOUND_FORWARD_ADDR: `127.0.0.1:${(app.address() as AddressInfo).port}`,
    });
    destination.set(SERVICE, [{ ip: '127.0.0.1', port: server.inbound, identity: EMOJI }]);
    const client = await startProxy(WEB, { WEFT_PROXY_OUTBOUND_UPSTREAMS: `${SERVICE}=127.0.0.1:0` });
    expect(await untilReady(server.admin)).toBe(200);
    expect(await untilReady(client.admin)).toBe(200);
    const port = client.upstreams[SERVICE];
    const reply = await fetch(`http://127.0.0.1:${port}/`);
    expect(await reply.text()).toBe(`hello ${WEB}`);
    const metrics = await (await fetch(`http://127.0.0.1:${client.admin}/metrics`)).text();
    expect(metrics).toContain(`server_id="${EMOJI}"`);
    // The identity client's series follow the proxy's own on the same page.
    expect(metrics).toMatch(/^control_identity_cert_refreshes_total\{result="ok"\} 1$/m);
    expect(await promtoolProblems(metrics)).toEqual([]);
  });
});
