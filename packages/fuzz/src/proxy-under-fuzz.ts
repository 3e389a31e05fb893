import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { identityName, issueWorkloadCertificate } from '@weft/identity';
import { type Child, startChild } from './child.ts';
import { KNOWN_SERVICE, type RunningControlPlane, startControlPlane } from './control-plane-under-fuzz.ts';
import { DOMAIN } from './identity-under-fuzz.ts';
import type { Target } from './runner.ts';
import { expectOk, waitFor } from './wait-for.ts';

// A sidecar as `weft dev` runs one: its certificate from the identity
// service, discovery and inbound policy from the control plane over mTLS, its app a
// small HTTP server in this process. Every listener on loopback. The policy
// is all-authenticated, so plaintext input goes down the refusal path and
// mTLS input down the forwarding path: the fuzzer reaches both.

const MAIN = new URL('../../proxy/src/main.ts', import.meta.url).pathname;
const ANSWER = 'fine';

export interface RunningProxy {
  readonly child: Child;
  targets(): Target[];
  stop(): Promise<void>;
}

async function startApp(): Promise<Server> {
  const app = createServer((req, res) => {
    req.resume();
    res.end(ANSWER);
  });
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  return app;
}

/** GET / over mTLS on a fresh connection; resolves with "<status> <body>". */
function mtlsGet(port: number, tls: RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest({ ...tls, host: '127.0.0.1', port, path: '/', agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve(`${response.statusCode} ${body}`));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

export async function startProxy(): Promise<RunningProxy> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
  };
  try {
    const controlPlane: RunningControlPlane = await startControlPlane({
      WEFT_CP_DEFAULT_INBOUND_POLICY: 'all-authenticated',
    });
    stops.push(() => controlPlane.stop());
    const { identity } = controlPlane;
    const app = await startApp();
    stops.push(async () => {
      app.closeAllConnections();
      await new Promise((resolve) => app.close(resolve));
    });
    const appPort = (app.address() as AddressInfo).port;
    const token = await identity.tokenFile('web');
    const tapClient = identityName('weft-cli', DOMAIN.controlPlaneNamespace, DOMAIN);
    const { child, match } = await startChild({
      name: 'proxy',
      args: [MAIN],
      env: {
        WEFT_PROXY_DESTINATION_ADDR: `127.0.0.1:${controlPlane.grpcPort}`,
        // Discovery and policy over mTLS, the control plane's identity verified.
        WEFT_PROXY_DESTINATION_SVC_NAME: controlPlane.name,
        WEFT_PROXY_DESTINATION_CONTEXT: JSON.stringify({ ns: 'fuzz', pod: 'web-0' }),
        WEFT_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_INBOUND_FORWARD_ADDR: `127.0.0.1:${appPort}`,
        WEFT_PROXY_POLICY_WORKLOAD: JSON.stringify({ ns: 'fuzz', pod: 'web-0' }),
        WEFT_PROXY_INBOUND_DEFAULT_POLICY: 'all-authenticated',
        WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_TAP_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_TAP_AUTHORIZED_IDENTITY: tapClient,
        WEFT_PROXY_IDENTITY_LOCAL_NAME: token.identity,
        WEFT_PROXY_IDENTITY_TRUST_ANCHORS: identity.ca.trustAnchorsPem,
        WEFT_PROXY_IDENTITY_SVC_ADDR: `127.0.0.1:${identity.grpcPort}`,
        WEFT_PROXY_IDENTITY_SVC_NAME: identity.serviceName,
        WEFT_PROXY_IDENTITY_TOKEN_FILE: token.file,
        // A POST to /shutdown ends the proxy by design; that is not a crash to find.
        WEFT_PROXY_SHUTDOWN_ENDPOINT_ENABLED: 'false',
        WEFT_PROXY_SHUTDOWN_GRACE_PERIOD: '1s',
      },
      listening: /"msg":"listening","outbound":(\d+),"inbound":(\d+),"admin":(\d+),"tap":(\d+)/,
    });
    stops.push(() => child.stop());
    const [outbound, inbound, admin, tap] = [match[1], match[2], match[3], match[4]].map(Number) as [
      number,
      number,
      number,
      number,
    ];
    // Ready once it holds its certificate: mTLS and tap need it.
    await waitFor(() => expectOk(`http://127.0.0.1:${admin}/ready`));

    // Loopback and names that resolve nowhere: what the proxy forwards stays on this machine.
    const authorities = [`127.0.0.1:${appPort}`, KNOWN_SERVICE, 'localhost', 'fuzz.invalid:80'];
    const paths = ['/', '/api/list', '/weft.fuzz.Fuzz/Call'];
    const peer = issueWorkloadCertificate(identity.ca.issuer, identityName('peer', 'fuzz', DOMAIN));
    const tapCert = issueWorkloadCertificate(identity.ca.issuer, tapClient);
    const mtls = (cert: typeof peer, alpn: string[]) => ({
      cert: cert.certChainPem,
      key: cert.keyPem,
      ca: identity.ca.trustAnchorsPem,
      servername: token.identity,
      ALPNProtocols: alpn,
      rejectUnauthorized: false,
    });
    const check = async () => {
      await expectOk(`http://127.0.0.1:${admin}/live`);
      // A meshed peer's request, the one kind the policy lets through to the app.
      const answer = await mtlsGet(inbound, mtls(peer, ['http/1.1']));
      if (answer !== `200 ${ANSWER}`)
        throw new Error(`a meshed request through the inbound got ${answer.slice(0, 200)}`);
    };
    const targets: Target[] = [
      {
        name: 'proxy-inbound',
        child,
        endpoint: { port: inbound, tls: mtls(peer, ['h2', 'http/1.1']), alsoPlain: true },
        profile: { authorities, paths },
        check,
      },
      { name: 'proxy-outbound', child, endpoint: { port: outbound }, profile: { authorities, paths }, check },
      {
        name: 'proxy-admin',
        child,
        endpoint: { port: admin },
        profile: { authorities, paths: ['/metrics', '/ready', '/live', '/'] },
        check,
      },
      {
        name: 'proxy-tap',
        child,
        endpoint: { port: tap, tls: mtls(tapCert, ['http/1.1']) },
        profile: { authorities, paths: ['/tap', '/'] },
        check,
      },
    ];
    return { child, targets: () => targets, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
