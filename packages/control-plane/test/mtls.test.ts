import { credentials, status } from '@grpc/grpc-js';
import { loadDestinationApi } from '@weft/api';
import type { DestinationClient } from '@weft/api/gen/weft/destination/Destination.ts';
import { CertificateStore, checkPeerIdentity, createMeshCa, issueWorkloadCertificate } from '@weft/identity';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, LocalPlane, meshIdentity } from './support/local-plane.ts';
import { StreamReader } from './support/stream.ts';

// The control plane's gRPC is the mesh's own mTLS: only clients holding a
// certificate from its trust anchors get an answer, each client holds a
// bounded number of watches, and only the local runner may register.

const SERVICE =
  'apiVersion: v1\nkind: Service\nmetadata: { name: web-svc, namespace: emojivoto }\nspec: { ports: [{ port: 80 }] }\n';
const PATH = 'web-svc.emojivoto.svc.cluster.local:80';
const get = (client: DestinationClient, contextToken = '{"ns":"emojivoto","pod":"test"}') =>
  new StreamReader(client.Get({ scheme: 'local', path: PATH, contextToken }));

describe('the control plane over mTLS', () => {
  let plane: LocalPlane;
  afterEach(() => plane?.stop());

  it('refuses a plaintext client', async () => {
    plane = await new LocalPlane().start({ 'svc.yaml': SERVICE });
    const plaintext = new (loadDestinationApi().weft.destination.Destination)(
      `127.0.0.1:${plane.cp.grpcPort}`,
      credentials.createInsecure(),
    );
    try {
      const call = new StreamReader(
        plaintext.Get({ scheme: 'local', path: PATH, contextToken: '' }, { deadline: Date.now() + 10_000 }),
      );
      const err = await call.failure(15_000);
      expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(err.code);
    } finally {
      plaintext.close();
    }
    const meshed = get(plane.destination);
    expect((await meshed.next()).noEndpoints).toEqual({ exists: true });
    meshed.cancel();
  });

  it('refuses a client whose certificate comes from another trust anchor', async () => {
    plane = await new LocalPlane().start({ 'svc.yaml': SERVICE });
    const stranger = plane.client('destination', meshIdentity('web'), createMeshCa());
    const call = new StreamReader(
      stranger.Get({ scheme: 'local', path: PATH, contextToken: '' }, { deadline: Date.now() + 10_000 }),
    );
    const err = await call.failure(15_000);
    expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(err.code);
  });

  it('fails a client past its watch limit with RESOURCE_EXHAUSTED while other clients keep working', async () => {
    plane = await new LocalPlane().start({ 'svc.yaml': SERVICE }, { WEFT_CP_MAX_WATCHES_PER_CLIENT: '3' });
    const greedy = plane.client('destination', meshIdentity('greedy'));
    const greedyPolicy = plane.client('policy', meshIdentity('greedy'));
    // The limit counts every kind of watch together: two Gets and a WatchPort.
    const held = [get(greedy), get(greedy), plane.watchPort('emojivoto', 'web-0', 80, greedyPolicy)];
    for (const call of held) await call.next();

    const refused = get(greedy);
    const err = await refused.failure();
    expect(err.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(err.details).toMatch(
      /WEFT_CP_TOO_MANY_WATCHES: greedy\.emojivoto\.serviceaccount\.identity\.weft\.cluster\.local already holds 3 watches/,
    );
    // The same identity on a second connection is the same client.
    const again = get(plane.client('destination', meshIdentity('greedy')));
    expect((await again.failure()).code).toBe(status.RESOURCE_EXHAUSTED);

    const other = get(plane.destination);
    expect((await other.next()).noEndpoints).toEqual({ exists: true });
    expect(await plane.metric('watches_refused_total{rpc="Get"}')).toBe(2);

    // A watch that ends gives its place back.
    held[0]?.cancel();
    await eventually(async () => (await plane.metric('destination_streams{rpc="Get"}')) === 2);
    const replacement = get(greedy);
    expect((await replacement.next()).noEndpoints).toEqual({ exists: true });
    for (const call of [...held, replacement, other]) call.cancel();
  });

  it('answers once its certificate arrives, and serves each renewal to new connections', async () => {
    const name = 'weft-destination.weft.serviceaccount.identity.weft.cluster.local';
    const own = new CertificateStore(name);
    plane = await new LocalPlane().start({ 'svc.yaml': SERVICE }, {}, own);
    const ready = async () => (await fetch(`http://127.0.0.1:${plane.cp.adminPort}/ready`)).status;
    expect(await ready()).toBe(503);
    // Without a certificate there is nothing to handshake with: connections are dropped.
    expect((await get(plane.destination).failure(15_000)).code).toBe(status.UNAVAILABLE);

    // Each client records the serial of the certificate the control plane served it.
    const served: string[] = [];
    const client = () => {
      const mine = issueWorkloadCertificate(plane.ca.issuer, meshIdentity('web'));
      const Destination = loadDestinationApi().weft.destination.Destination;
      const c = new Destination(
        `127.0.0.1:${plane.cp.grpcPort}`,
        credentials.createSsl(
          Buffer.from(plane.ca.trustAnchorsPem),
          Buffer.from(mine.keyPem),
          Buffer.from(mine.certChainPem),
          {
            checkServerIdentity: (_host, cert) => {
              served.push(cert.serialNumber);
              return checkPeerIdentity(cert, name);
            },
          },
        ),
        { 'grpc.ssl_target_name_override': name },
      );
      return c;
    };
    const first = issueWorkloadCertificate(plane.ca.issuer, name);
    own.set(first);
    expect(await ready()).toBe(200);
    const a = client();
    const call = get(a);
    expect((await call.next()).noEndpoints).toEqual({ exists: true });
    call.cancel();
    a.close();

    const renewed = issueWorkloadCertificate(plane.ca.issuer, name);
    own.set(renewed);
    const b = client();
    const again = get(b);
    expect((await again.next()).noEndpoints).toEqual({ exists: true });
    again.cancel();
    b.close();
    expect([served[0], served.at(-1)]).toEqual([first.leaf.serialNumber, renewed.leaf.serialNumber]);
  });

  it('lets only the runner register workloads', async () => {
    plane = await new LocalPlane().start({ 'svc.yaml': SERVICE });
    const workload = {
      namespace: 'emojivoto',
      service: 'web-svc',
      pod: 'web-1',
      serviceAccount: 'web',
      address: { ip: '127.0.0.1', port: 9001 },
      meshed: true,
    };
    const impostor = plane.client('registration', meshIdentity('web'));
    const refused = new StreamReader(impostor.Register(workload));
    const err = await refused.failure();
    expect(err.code).toBe(status.PERMISSION_DENIED);
    expect(err.details).toContain(
      `only ${plane.cfg.registrationIdentity} may register workloads, not ${meshIdentity('web')}`,
    );

    const registered = await plane.register(workload);
    const endpoints = get(plane.destination);
    expect((await endpoints.next()).add?.addrs.map((a) => a.addr?.port)).toEqual([9001]);
    endpoints.cancel();
    registered.cancel();
  });
});
