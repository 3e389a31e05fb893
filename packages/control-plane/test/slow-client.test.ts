import type { Update__Output } from '@weft/api/gen/weft/destination/Update.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalPlane } from './support/local-plane.ts';

const SERVICE =
  'apiVersion: v1\nkind: Service\nmetadata: { name: web-svc, namespace: emojivoto }\nspec: { ports: [{ port: 80 }] }\n';

describe('a Get client that reads slowly', () => {
  let plane: LocalPlane;
  afterEach(() => plane?.stop());

  it('is brought to the latest endpoints in one catch-up instead of every step it missed', async () => {
    plane = await new LocalPlane().start({ 'svc.yaml': SERVICE });
    const get = plane.destination.Get({ scheme: 'local', path: 'web-svc.emojivoto:80', contextToken: '' });
    const held = new Map<string, number>();
    let messages = 0;
    get.on('error', () => {});
    get.on('data', (u: Update__Output) => {
      messages++;
      for (const a of u.add?.addrs ?? []) held.set(`${a.addr?.ip}:${a.addr?.port}`, a.addr?.port ?? 0);
      for (const a of u.remove?.addrs ?? []) held.delete(`${a.ip}:${a.port}`);
    });
    await new Promise((r) => get.once('data', r));
    get.pause();

    // 3 000 churn steps while the client reads nothing: far more than HTTP/2 flow control lets through.
    const live: (() => void)[] = [];
    const CHURN = 3000;
    for (let i = 0; i < CHURN; i++) {
      const { unregister } = plane.store.register({
        namespace: 'emojivoto',
        service: 'web-svc',
        pod: `web-${i}`,
        deployment: 'web',
        serviceAccount: 'web',
        ip: '127.0.0.1',
        port: 10_000 + i,
        servicePort: 0,
        meshed: true,
        inboundPort: 4143,
        opaque: false,
        labels: {},
        annotations: {},
      });
      live.push(unregister);
      // Keep the last 5 registered; everything older goes away again.
      if (live.length > 5) live.shift()?.();
    }
    get.resume();

    const expected = [...Array(5)].map((_, i) => `127.0.0.1:${10_000 + CHURN - 5 + i}`).sort();
    const deadline = Date.now() + 10_000;
    while ([...held.keys()].sort().join() !== expected.join() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect([...held.keys()].sort()).toEqual(expected);
    // Every step would be two messages (add, remove) per registration: the stream skipped most of them.
    expect(messages).toBeLessThan(100);
    get.cancel();
  });
});
