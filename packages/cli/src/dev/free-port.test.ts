import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePorts } from './free-port.ts';

function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 32_768;
  }
}

describe('freePorts', () => {
  it('hands out distinct bindable ports below the ephemeral range, never the same one twice', async () => {
    const first = await freePorts(20);
    const second = await freePorts(20);
    const all = [...first, ...second];
    expect(new Set(all).size).toBe(40);
    for (const port of all) expect(port).toBeLessThan(Math.min(ephemeralLow(), 32_768));
    // Each can be bound now.
    for (const port of all.slice(0, 5)) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      server.close();
    }
  });

  it('skips a port that is taken', async () => {
    const [probe] = await freePorts(1);
    const held = createServer();
    await new Promise<void>((resolve) => held.listen((probe as number) + 1, '0.0.0.0', resolve));
    try {
      const next = await freePorts(2);
      expect(next).not.toContain((probe as number) + 1);
    } finally {
      held.close();
    }
  });
});
