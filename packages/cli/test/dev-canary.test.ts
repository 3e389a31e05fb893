import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/dev/free-port.ts';
import { type LocalMesh, startLocalMesh } from '../src/dev/local-mesh.ts';
import { painter } from '../src/dev/log-prefix.ts';
import { Supervisor } from '../src/dev/supervisor.ts';

// The workshop's canary under the local runner (`weft dev --canary`): web-v2
// runs behind its own sidecar, and with web-canary-0-100.yaml in the resource
// folder every page vote-bot's proxy fetches from web-svc is v2's, while the
// browser's own page (web's sidecar, not split) stays v1.

const LOCAL = fileURLToPath(new URL('../../../deploy/local/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'weft-canary-'));
const resources = join(dir, 'resources');
let mesh: LocalMesh | undefined;
let log = '';

afterAll(async () => {
  await mesh?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

const banner = (html: string) => /<div id="motd"( hidden)?>([^<]*)<\/div>/.exec(html)?.slice(1);

describe('weft dev --canary', () => {
  it('sends every page of web-svc to web-v2 at 0/100', async () => {
    mkdirSync(resources);
    copyFileSync(join(LOCAL, 'resources/emojivoto.yaml'), join(resources, 'emojivoto.yaml'));
    copyFileSync(join(LOCAL, 'examples/web-canary-0-100.yaml'), join(resources, 'web-canary.yaml'));
    const write = (text: string) => {
      log += text;
    };
    const supervisor = new Supervisor({ write, paint: painter(false), readyTimeoutMs: 40_000, stopGraceMs: 8_000 });
    try {
      mesh = await startLocalMesh(supervisor, {
        stateDir: dir,
        withBot: true,
        withCanary: true,
        resourcesDir: resources,
        webPort: await freePort(0, '127.0.0.1'),
        proxyLogLevel: 'warn',
        env: { PATH: process.env.PATH ?? '' },
        write,
      });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${log}`);
    }
    const bot = mesh.workloads.find((w) => w.deployment === 'vote-bot');
    const throughBot = `http://127.0.0.1:${bot?.ports.upstreams.WEB_HOST}/`;
    const pages = [];
    for (let i = 0; i < 20; i++) pages.push(banner(await (await fetch(throughBot)).text()));
    expect(pages).toEqual(Array.from({ length: 20 }, () => [undefined, 'v2']));
    expect(banner(await (await fetch(mesh.webUrl)).text())).toEqual([' hidden', '']);
  }, 90_000);
});
