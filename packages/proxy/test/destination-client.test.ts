import { afterEach, describe, expect, it } from 'vitest';
import type { Profile } from '../src/profile/profile.ts';
import { DestinationResolver } from '../src/resolve/destination.ts';
import { endpointKey, type Update } from '../src/resolve/update.ts';
import { TestDestination } from './support/destination-server.ts';

// The destination client asking for the IP:port a redirected connection was
// going to, over real gRPC: the path it sends, and what it makes of the answer.

const IDENTITY = 'web.emojivoto.serviceaccount.identity.weft.cluster.local';

/** The next value a callback receives, or a failure after `ms`. */
function nextOf<T>(subscribe: (listener: (value: T) => void) => () => void, ms = 5000) {
  let stop = () => {};
  const value = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
    stop = subscribe((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
  return { value, stop: () => stop() };
}

describe('destination client by IP:port', () => {
  let destination: TestDestination | undefined;
  let resolver: DestinationResolver | undefined;
  afterEach(() => {
    resolver?.close();
    destination?.stop();
  });

  async function start() {
    destination = new TestDestination();
    await destination.start();
    resolver = new DestinationResolver({ addr: `127.0.0.1:${destination.port}`, scheme: 'k8s', contextToken: '' });
    return { destination, resolver };
  }

  it("asks for a pod's bracketed IPv6 address and reads the pod out of its profile", async () => {
    const { destination, resolver } = await start();
    const authority = endpointKey('fd00::7', 3306);
    destination.setProfile(authority, {
      opaqueProtocol: true,
      endpoint: {
        addr: { ip: 'fd00::7', port: 3306 },
        weight: 10_000,
        metricLabels: { namespace: 'emojivoto', pod: 'web-0' },
        tlsIdentity: { name: IDENTITY, serverName: IDENTITY },
        protocolHint: { opaque: {}, inboundPort: 4143 },
      },
    });
    const next = nextOf<Profile>((l) => resolver.profile(authority, l));
    const profile = await next.value;
    next.stop();
    expect(authority).toBe('[fd00::7]:3306');
    expect(profile.opaque).toBe(true);
    expect(profile.endpoint).toMatchObject({
      key: '[fd00::7]:3306',
      tls: { name: IDENTITY, serverName: IDENTITY },
      opaque: true,
      labels: { dst_namespace: 'emojivoto', dst_pod: 'web-0' },
    });
  });

  it('resolves a cluster IP:port to the endpoints the control plane sends for it', async () => {
    const { destination, resolver } = await start();
    destination.set('10.96.0.12:80', [{ ip: '10.1.0.1', port: 8080, identity: IDENTITY }]);
    const next = nextOf<Update>((l) => resolver.resolve('10.96.0.12:80', l));
    const update = await next.value;
    next.stop();
    expect(destination.requests).toEqual(['10.96.0.12:80']);
    expect(update.kind).toBe('reset');
    expect(update.kind === 'reset' && update.endpoints.map((e) => [e.key, e.tls?.name])).toEqual([
      ['10.1.0.1:8080', IDENTITY],
    ]);
  });
});
