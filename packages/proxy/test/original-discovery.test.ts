import { afterEach, describe, expect, it } from 'vitest';
import { DestinationResolver } from '../src/resolve/destination.ts';
import type { OriginalTarget } from '../src/transparent/decide.ts';
import { OriginalDiscovery } from '../src/transparent/discovery.ts';
import { TestDestination } from './support/destination-server.ts';

// Discovery by original destination against a real destination server: the
// first connection to an address waits for its profile, later ones are
// answered at once, a silent control plane closes the wait, and an address
// left unused is forgotten.

const VIP = '10.96.0.12:8080';

describe('discovery by original destination', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const step of cleanup.splice(0).reverse()) step();
  });

  async function discovery(idleMs: number, waitMs: number, destination?: TestDestination) {
    const resolver = new DestinationResolver({
      // Nothing listens on port 1: the control plane never answers.
      addr: `127.0.0.1:${destination?.port ?? 1}`,
      scheme: 'k8s',
      contextToken: '',
      maxBackoffMs: 50,
    });
    const d = new OriginalDiscovery(resolver.profile.bind(resolver), idleMs, waitMs);
    cleanup.push(
      () => resolver.close(),
      () => d.close(),
    );
    return d;
  }

  const lookup = (d: OriginalDiscovery, key: string, port: number) =>
    new Promise<OriginalTarget | undefined>((resolve) => d.lookup(key, port, resolve));

  it('answers the first connection once the profile comes, and the next ones at once', async () => {
    const destination = new TestDestination();
    await destination.start();
    cleanup.push(() => destination.stop());
    destination.setProfile(VIP, { fullyQualifiedName: 'emoji-svc.emojivoto.svc.cluster.local' });
    const d = await discovery(60_000, 5_000, destination);
    const service = { kind: 'service', authority: 'emoji-svc.emojivoto.svc.cluster.local:8080', opaque: false };
    expect(await lookup(d, VIP, 8080)).toEqual(service);
    let now: OriginalTarget | undefined;
    d.lookup(VIP, 8080, (t) => {
      now = t;
    });
    expect(now).toEqual(service);
    expect(d.size).toBe(1);
  });

  it('gives up on a control plane that does not answer, and forgets an address no connection asked for since', async () => {
    const d = await discovery(200, 100);
    const started = performance.now();
    expect(await lookup(d, VIP, 8080)).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(d.size).toBe(1);
    const deadline = Date.now() + 10_000;
    while (d.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(d.size).toBe(0);
  });
});
