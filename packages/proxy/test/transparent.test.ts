import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meshIdentity, type Pod, PodCluster, serveIn } from './support/pod-cluster.ts';

// The Kubernetes data path for real, as root: two pods in network namespaces
// with proxy-init's rules, each with its sidecar as a child process, and the
// control plane over a folder of the same resources a cluster would hold.
// web's app dials emoji-svc's virtual IP, emoji's pod IP, and an address the
// mesh does not know; nothing in either app knows of the mesh.

const VIP = '10.96.81.10';
const SERVICE = 'emoji-svc.emojivoto.svc.cluster.local';
const WEB = meshIdentity('web', 'emojivoto');
const EMOJI = meshIdentity('emoji', 'emojivoto');

function resources(emojiIp: string): string {
  return `
apiVersion: v1
kind: Service
metadata:
  name: emoji-svc
  namespace: emojivoto
  annotations: { config.weft.dev/opaque-ports: "7000" }
spec:
  clusterIP: ${VIP}
  selector: { app: emoji }
  ports:
    - { name: http, port: 8080, targetPort: 8080 }
    - { name: echo, port: 7000, targetPort: 7000 }
    - { name: grpc, port: 8090, targetPort: 8090 }
---
apiVersion: v1
kind: Pod
metadata:
  name: emoji-0
  namespace: emojivoto
  labels: { app: emoji, weft.dev/control-plane-ns: weft }
  annotations: { config.weft.dev/opaque-ports: "7000" }
spec:
  serviceAccountName: emoji
  containers:
    - name: app
      ports: [{ containerPort: 8080 }, { containerPort: 8081 }, { containerPort: 9090 }, { containerPort: 7000 }, { containerPort: 8090 }]
    - name: weft-proxy
status: { phase: Running, podIP: ${emojiIp} }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: emoji-svc-0
  namespace: emojivoto
  labels: { kubernetes.io/service-name: emoji-svc }
ports: [{ name: http, port: 8080 }, { name: echo, port: 7000 }, { name: grpc, port: 8090 }]
endpoints:
  - addresses: [${emojiIp}]
    conditions: { ready: true }
    targetRef: { kind: Pod, name: emoji-0 }
---
# A Server with no authorization denies everything on its port, and only there.
apiVersion: policy.weft.dev/v1beta3
kind: Server
metadata:
  name: emoji-admin
  namespace: emojivoto
spec:
  podSelector: { matchLabels: { app: emoji } }
  port: 9090
  proxyProtocol: HTTP/1
`;
}

/** The sum of a family's series whose labels include all of `labels`. */
function metric(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const set = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) sum += Number(line.split(' ').pop());
  }
  return sum;
}

describe('routing by original destination, in pods with proxy-init rules', () => {
  let cluster: PodCluster | undefined;
  let web: Pod;
  let emoji: Pod;
  let ingress: Pod;

  beforeAll(async () => {
    cluster = new PodCluster();
    web = cluster.pod();
    emoji = cluster.pod();
    ingress = cluster.pod();
    await cluster.controlPlane(resources(emoji.ip));
    await emoji.serve('http:8080,http:8081,http:9090,echo:7000,h2:8090');
    // Outside the mesh: a server on the node, at an address no resource names.
    await serveIn(cluster.node, 'echo:7100');
    await Promise.all([
      cluster.proxy(web, 'web', 'emojivoto', 'web-0', {}),
      cluster.proxy(ingress, 'ingress', 'emojivoto', 'ingress-0', { WEFT_PROXY_INGRESS_MODE: 'true' }),
      cluster.proxy(emoji, 'emoji', 'emojivoto', 'emoji-0', {
        WEFT_PROXY_INBOUND_FORWARD_ADDR: '127.0.0.1:8080',
        WEFT_PROXY_INBOUND_PORTS: '8080,8081,9090,7000,8090',
        WEFT_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION: '7000',
        // Undeclared ports served at once, besides those five.
        WEFT_PROXY_INBOUND_MAX_PORTS: '2',
      }),
    ]);
  }, 120_000);

  afterAll(() => cluster?.close());

  it("reaches the Service's pod over mTLS when the app dials the Service's virtual IP, both identities known", async () => {
    const answer = await web.app(['get', `http://${VIP}:8080/`]);
    expect(answer).toMatchObject({ status: 200 });
    expect(JSON.parse(answer.body as string)).toEqual({ port: 8080, clientId: WEB });
    const outbound = await web.metrics();
    expect(
      metric(outbound, 'response_total', {
        direction: 'outbound',
        authority: `${SERVICE}:8080`,
        tls: 'true',
        server_id: EMOJI,
        status_code: '200',
      }),
    ).toBe(1);
    const inbound = await emoji.metrics();
    expect(
      metric(inbound, 'response_total', {
        direction: 'inbound',
        target_port: '8080',
        tls: 'true',
        client_id: WEB,
        status_code: '200',
      }),
    ).toBe(1);
  });

  it("carries HTTP/2 to the Service's virtual IP the same way, as a gRPC client's connection is", async () => {
    const answer = await web.app(['h2get', `http://${VIP}:8090/`]);
    expect(answer).toMatchObject({ status: 200 });
    expect(JSON.parse(answer.body as string)).toEqual({ port: 8090, clientId: WEB });
    const outbound = await web.metrics();
    const labels = { direction: 'outbound', authority: `${SERVICE}:8090`, tls: 'true', server_id: EMOJI };
    expect(metric(outbound, 'response_total', { ...labels, status_code: '200' })).toBe(1);
  });

  it("carries an opaque port's bytes to the Service's pod over mTLS, counted as TCP", async () => {
    expect(await web.app(['echo', VIP, '7000', 'opaque bytes'])).toEqual({ reply: 'opaque bytes' });
    const outbound = await web.metrics();
    const dst = { direction: 'outbound', peer: 'dst', authority: `${SERVICE}:7000`, tls: 'true', server_id: EMOJI };
    expect(metric(outbound, 'tcp_open_total', dst)).toBe(1);
    // Counted as the app's bytes, before TLS: sent and echoed back.
    expect(metric(outbound, 'tcp_write_bytes_total', dst)).toBe('opaque bytes'.length);
    expect(metric(outbound, 'tcp_read_bytes_total', dst)).toBe('opaque bytes'.length);
    const inbound = await emoji.metrics();
    expect(
      metric(inbound, 'tcp_open_total', {
        direction: 'inbound',
        peer: 'src',
        tls: 'true',
        client_id: WEB,
        target_port: '7000',
      }),
    ).toBe(1);
    // No request was made of an opaque stream.
    expect(metric(inbound, 'request_total', { target_port: '7000' })).toBe(0);
  });

  it('serves every port the app listens on, each under the Server that selects it', async () => {
    const other = await web.app(['get', `http://${emoji.ip}:8081/`]);
    expect(other).toMatchObject({ status: 200 });
    expect(JSON.parse(other.body as string)).toEqual({ port: 8081, clientId: WEB });
    const denied = await web.app(['get', `http://${emoji.ip}:9090/`]);
    // The peer proxy's error header stays between the proxies; the app sees the status.
    expect(denied).toMatchObject({ status: 403 });
    const inbound = await emoji.metrics();
    expect(metric(inbound, 'response_total', { target_port: '8081', status_code: '200', client_id: WEB })).toBe(1);
    expect(metric(inbound, 'response_total', { target_port: '9090', status_code: '403' })).toBe(1);
  });

  it("refuses a connection sent to the proxy's own outbound port, which would let a peer call out as the pod", async () => {
    const before = metric(await emoji.metrics(), 'tcp_open_total', { direction: 'outbound', peer: 'src' });
    const answer = await web.app(['get', `http://${emoji.ip}:4140/`]);
    // web's proxy answers for the connection emoji's proxy closed.
    expect(answer).toMatchObject({ status: 502, proxyError: 'WEFT_PROXY_UPSTREAM_IO' });
    const after = await emoji.metrics();
    expect(metric(after, 'limit_exceeded_total', { direction: 'inbound', limit: 'own_port' })).toBe(1);
    expect(metric(after, 'tcp_open_total', { direction: 'outbound', peer: 'src' })).toBe(before);
  });

  it('serves only so many undeclared ports at once, so a peer trying every port piles nothing up', async () => {
    for (const port of [8082, 8083, 8084]) {
      // Nothing listens there: the proxies answer for it either way.
      expect(await web.app(['get', `http://${emoji.ip}:${port}/`])).toMatchObject({ status: 502 });
    }
    const inbound = await emoji.metrics();
    expect(metric(inbound, 'limit_exceeded_total', { direction: 'inbound', limit: 'ports' })).toBe(1);
    // The declared ports are served whatever the peer tried.
    expect(await web.app(['get', `http://${emoji.ip}:8081/`])).toMatchObject({ status: 200 });
  });

  it("routes an ingress's HTTP by its Host, not by where it was sent, and passes its other bytes through", async () => {
    const answer = await ingress.app(['get', `http://${emoji.ip}:8081/`, `${SERVICE}:8080`]);
    expect(answer).toMatchObject({ status: 200 });
    expect(JSON.parse(answer.body as string)).toEqual({ port: 8080, clientId: meshIdentity('ingress', 'emojivoto') });
    expect(await ingress.app(['echo', ingress.gateway, '7100', 'from the ingress'])).toEqual({
      reply: 'from the ingress',
    });
    const outbound = await ingress.metrics();
    expect(metric(outbound, 'tcp_open_total', { peer: 'dst', passthrough: 'true' })).toBe(1);
  });

  it('passes a connection to an address the mesh does not know through as it is, counted as passed through', async () => {
    expect(await web.app(['echo', web.gateway, '7100', 'to the outside'])).toEqual({ reply: 'to the outside' });
    const outbound = await web.metrics();
    expect(
      metric(outbound, 'tcp_open_total', {
        direction: 'outbound',
        peer: 'dst',
        target_addr: `${web.gateway}:7100`,
        passthrough: 'true',
      }),
    ).toBe(1);
  });
});
