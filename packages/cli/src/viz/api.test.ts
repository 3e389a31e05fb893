import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViz, type VizServer } from './server.ts';
import { runCli } from './testing/run-cli.ts';

// The viz server's listeners take hostile input and keep serving.

let viz: VizServer;

beforeAll(async () => {
  viz = await startViz();
});

afterAll(() => viz.close());

describe('viz API', () => {
  it('refuses bad windows and unknown traces with a clear error', async () => {
    for (const w of ['abc', '0', '-5', '99999']) {
      const res = await fetch(`${viz.address}/api/v1/scrapes?window=${w}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/window must be seconds/);
    }
    expect((await fetch(`${viz.address}/api/v1/traces/${'0'.repeat(32)}`)).status).toBe(404);
    expect((await fetch(`${viz.address}/api/v1/metrics/ns/nobody`)).status).toBe(404);
  });

  it('answers a fresh viz with no traffic rather than an error', async () => {
    const env = { WEFT_API_ADDR: viz.address };
    expect(await runCli(['stat', '-A', 'deploy'], env)).toEqual({ code: 0, stdout: 'No traffic found.\n', stderr: '' });
    expect((await runCli(['edges', '-A', 'deploy', '-o', 'json'], env)).stdout).toBe('[]\n');
    expect((await runCli(['trace'], env)).stdout).toBe('No traces found.\n');
  });

  it('keeps the file_sd targets and the state file in step with registrations', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-viz-sd-'));
    const local = await startViz({ stateDir: dir });
    const w = (pod: string, port: number) => ({
      namespace: 'ns',
      deployment: 'd',
      pod,
      services: [],
      serviceAccount: 'sa',
      identity: 'id',
      adminAddr: `127.0.0.1:${port}`,
      inboundAddr: '127.0.0.1:1',
    });
    const targets = async () =>
      JSON.parse(await readFile(local.fileSdPath as string, 'utf8')).map(
        (t: { labels: { pod: string } }) => t.labels.pod,
      );
    local.registerWorkload(w('a', 1));
    local.registerWorkload(w('b', 2));
    await expect.poll(targets).toEqual(['a', 'b']);
    expect(local.unregister('ns', 'a')).toBe(true);
    await expect.poll(targets).toEqual(['b']);
    expect(JSON.parse(await readFile(join(dir, '.weft', 'viz.json'), 'utf8')).apiAddr).toBe(local.address);
    await local.close();
    expect(await targets()).toEqual([]);
    await expect(readFile(join(dir, '.weft', 'viz.json'))).rejects.toThrow(/ENOENT/);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a workload with unusable addresses', () => {
    const w = {
      namespace: 'ns',
      deployment: 'd',
      pod: 'p',
      services: [],
      serviceAccount: 'sa',
      identity: 'id',
      adminAddr: 'not an address',
      inboundAddr: '127.0.0.1:1',
    };
    expect(() => viz.registerWorkload(w)).toThrow(/adminAddr "not an address" is not host:port/);
  });

  it('survives random bytes on the OTLP/gRPC port and on the HTTP port', async () => {
    for (const addr of [viz.otlpGrpcAddress, viz.address.replace('http://', '')]) {
      const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
      await new Promise<void>((resolve) => {
        const socket = connect({ host, port }, () => {
          socket.write(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
          setTimeout(() => socket.destroy(), 100);
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve());
      });
    }
    expect((await fetch(`${viz.address}/ready`)).status).toBe(200);
    const res = await fetch(`${viz.address}/api/v1/inventory`);
    expect(((await res.json()) as { otlp: { grpc: string } }).otlp.grpc).toBe(viz.otlpGrpcAddress);
  });
});
