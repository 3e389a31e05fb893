import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_INJECTOR_CONFIG } from '@weft/control-plane/injector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEmojivotoPods } from './emojivoto-pods-suite.ts';
import { injectedWebPod, podmanRunFlags } from './injected-pod.ts';
import { podNetworks, removePodNetworks } from './pod-network.ts';
import {
  buildLogTails,
  IMAGES_DIR,
  type Output,
  openTestStore,
  podman,
  run,
  sweep,
  type TestStore,
  waitFor,
} from './podman.ts';

// Builds both images with deploy/images/build.sh, as a user would, and runs
// them the way Kubernetes would: emojivoto's web pod with the containers the
// injector adds, alone in a pod without a network (loopback only); then all
// of emojivoto with identity and destination, as injected pods on a pod
// network of the test's own (emojivoto-pods-suite.ts). All of it lives in an
// image store of the test's own (WEFT_IMAGES_TEST_STORE): its base images
// stay cached there; everything else it makes is removed at the end.
//
// It needs Linux and root (rootful podman, debootstrap) and fails elsewhere;
// WEFT_IMAGES_TEST=skip opts out, e.g. on a laptop without podman.

const OPT_OUT = process.env.WEFT_IMAGES_TEST === 'skip';
const STORE_DIR = process.env.WEFT_IMAGES_TEST_STORE ?? '/var/tmp/weft-images-test';
const TAG = `test-${process.pid}`;
const MESH = `localhost/weft/mesh:${TAG}`;
const EMOJIVOTO = `localhost/weft/emojivoto:${TAG}`;
const POD = `weft-images-test-${process.pid}`;
const BUILD_SH = join(IMAGES_DIR, 'build.sh');
const BASES = ['localhost/debian', 'localhost/weft-node'];
const MB = 1_000_000;
// Measured in docs/kubernetes.md; a budget catches a dev dependency, a
// toolchain cache or a compiler that slips back in.
const SIZE_BUDGET = { [MESH]: 300 * MB, [EMOJIVOTO]: 250 * MB };

/** A node one-liner run inside a container of the pod: what 127.0.0.1 answers there. */
const fetchInPod = async (
  store: TestStore,
  container: string,
  url: string,
): Promise<{ status: number; body: string }> => {
  const script = `fetch(${JSON.stringify(url)}).then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })))`;
  const { stdout } = await podman(store, ['exec', container, 'node', '-e', script]);
  return JSON.parse(stdout) as { status: number; body: string };
};

const logs = async (store: TestStore, container: string): Promise<string> => {
  const { stdout, stderr } = await podman(store, ['logs', container]);
  return stdout + stderr;
};

describe.skipIf(OPT_OUT)('the mesh and emojivoto images, built with podman', () => {
  let store: TestStore | undefined;
  let build: Output | undefined;

  beforeAll(async () => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) {
      throw new Error(
        `the image test builds with rootful podman and debootstrap: it needs Linux and root (this is ${process.platform}, uid ${process.getuid?.()}). Set WEFT_IMAGES_TEST=skip to opt out.`,
      );
    }
    const s = openTestStore(STORE_DIR);
    store = s;
    // What a run killed before its afterAll left behind.
    if (s.reused) {
      await sweep(s, BASES);
      await removePodNetworks(s);
    }
    // Logs of an earlier run must not pass for this one's.
    for (const name of ['mesh', 'emojivoto']) rmSync(join(s.dir, `weft-image-${name}.log`), { force: true });
    build = await run(s, BUILD_SH, ['--tag', TAG], 14 * 60_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${buildLogTails(s)}`);
    });
    console.log(build.stdout);
  }, 15 * 60_000);

  afterAll(async () => {
    if (!store) return;
    const s = store;
    const left = async (args: string[]) => (await podman(s, args)).stdout.trim();
    const exists = (image: string) =>
      podman(s, ['image', 'exists', image]).then(
        () => true,
        () => false,
      );
    // build.sh --remove as a user runs it, then a sweep of whatever else the
    // test made, which runs even when the removal fails.
    const removal = await run(s, BUILD_SH, ['--remove', '--tag', TAG], 120_000).then(
      async () => [await exists(MESH), await exists(EMOJIVOTO)],
      (err: Error) => err.message,
    );
    await sweep(s, BASES).catch((err: Error) => console.error(err.message));
    const networks = await removePodNetworks(s).then(
      () => podNetworks(s),
      (err: Error) => err.message,
    );
    expect(networks).toEqual([]);
    expect(removal).toEqual([false, false]);
    expect(await left(['ps', '--all', '--format', '{{.Names}}'])).toBe('');
    expect(await left(['pod', 'ps', '--format', '{{.Name}}'])).toBe('');
    // Only the cached bases remain, with their layers: nothing made after them.
    const images = await left(['images', '--format', '{{.Repository}}']);
    expect(images.split('\n').sort()).toEqual(BASES);
    const node = await left(['images', '--format', '{{.ID}}', 'localhost/weft-node']);
    expect(await left(['images', '--all', '--quiet', '--filter', `since=${node}`])).toBe('');
  }, 3 * 60_000);

  it('builds both images, reporting each step', () => {
    expect(build?.stdout).toMatch(new RegExp(`\\[images\\] √ ${MESH} \\d+ MB \\(\\d+s\\)`));
    expect(build?.stdout).toMatch(new RegExp(`\\[images\\] √ ${EMOJIVOTO} \\d+ MB \\(\\d+s\\)`));
  });

  it('keeps each image within its size budget', async () => {
    for (const [image, budget] of Object.entries(SIZE_BUDGET)) {
      const { stdout } = await podman(store as TestStore, ['image', 'inspect', '--format', '{{.Size}}', image]);
      expect(Number(stdout.trim()), image).toBeLessThan(budget);
    }
  });

  it('leaves out tests, the compiler, pnpm and package caches', async () => {
    for (const image of [MESH, EMOJIVOTO]) {
      const script = [
        "find / -xdev -name '*.test.ts'",
        'find /weft -name node_modules -prune -o \\( -name test -o -name testing -o -name bench \\) -print',
        'command -v gcc cc pnpm || true',
        'ls -d /root/.npm /root/.cache /root/.local /home/node/.npm /home/node/.cache /home/node/.local 2>/dev/null || true',
        'find /var/lib/apt/lists /var/cache/apt -type f ! -name lock',
      ].join('; ');
      const { stdout } = await podman(store as TestStore, [
        'run',
        '--rm',
        '--network',
        'none',
        '--user',
        '0',
        '--entrypoint',
        'sh',
        image,
        '-c',
        script,
      ]);
      expect(stdout.trim(), image).toBe('');
    }
  });

  it("has the injector's proxy user, runs everything else as non-root, and compiled the proxy's addon", async () => {
    const s = store as TestStore;
    const { stdout: user } = await podman(s, ['image', 'inspect', '--format', '{{.Config.User}}', MESH]);
    expect(user.trim()).toBe('1000:1000');
    const { stdout: passwd } = await podman(s, [
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'getent',
      MESH,
      'passwd',
      String(DEFAULT_INJECTOR_CONFIG.proxyUid),
    ]);
    expect(passwd).toMatch(/^weft-proxy:/);
    const load = `import('/weft/packages/original-dst/src/index.ts').then((m) => process.stdout.write(JSON.stringify(m.loadOriginalDst())))`;
    const { stdout: support } = await podman(s, [
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'node',
      MESH,
      '-e',
      load,
    ]);
    expect(JSON.parse(support)).toEqual({ available: true });
  });

  it("runs emojivoto's web pod as the injector writes it: proxy-init's rules, then web answering through the proxy", async () => {
    const s = store as TestStore;
    const { init, proxy } = injectedWebPod(EMOJIVOTO);
    // No network: the pod's containers share one loopback and reach nothing else.
    await podman(s, ['pod', 'create', '--name', POD, '--network', 'none']);

    // Runs to its end like an init container; a non-zero exit fails the test with its output.
    const { stdout: rules } = await podman(s, [
      'run',
      '--pod',
      POD,
      '--name',
      `${POD}-init`,
      ...podmanRunFlags(init),
      MESH,
      ...(init.args ?? []),
    ]);
    expect(rules).toMatch(new RegExp(`--uid-owner ${DEFAULT_INJECTOR_CONFIG.proxyUid} .*-j RETURN`));
    expect(rules).toMatch(/-j REDIRECT --to-ports? 4143/);

    const app = (name: string, env: string[], command: string[]) =>
      podman(s, [
        'run',
        '--detach',
        '--pod',
        POD,
        '--name',
        `${POD}-${name}`,
        ...env.flatMap((e) => ['--env', e]),
        EMOJIVOTO,
        ...command,
      ]);
    await app('emoji', ['GRPC_PORT=8081'], ['node', 'src/emoji/main.ts']);
    await app('voting', ['GRPC_PORT=8082'], ['node', 'src/voting/main.ts']);
    await app('web', ['WEB_PORT=8080', 'EMOJISVC_HOST=localhost:8081', 'VOTINGSVC_HOST=localhost:8082'], []);
    await podman(s, [
      'run',
      '--detach',
      '--pod',
      POD,
      '--name',
      `${POD}-proxy`,
      ...podmanRunFlags(proxy),
      // The control plane's addresses stay out: this pod has no cluster to reach.
      '--env',
      'WEFT_PROXY_INBOUND_FORWARD_ADDR=127.0.0.1:8080',
      MESH,
      ...(proxy.args ?? []),
    ]);
    await waitFor(
      () => logs(s, `${POD}-web`),
      (l) => l.includes('web: listening on port 8080'),
      60_000,
    );
    await waitFor(
      () => logs(s, `${POD}-proxy`),
      (l) => l.includes('"msg":"listening"'),
      60_000,
    );

    const list = await fetchInPod(s, `${POD}-web`, 'http://127.0.0.1:4143/api/list');
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body)).toContainEqual({ unicode: '🍩', shortcode: ':doughnut:' });
    const metrics = await fetchInPod(s, `${POD}-web`, 'http://127.0.0.1:4191/metrics');
    expect(metrics.body).toMatch(/^request_total\{[^}]*direction="inbound"[^}]*\} [1-9]/m);

    const uid = async (container: string) =>
      /^Uid:\s+(\d+)/m.exec((await podman(s, ['exec', container, 'cat', '/proc/1/status'])).stdout)?.[1];
    expect(await uid(`${POD}-proxy`)).toBe(String(DEFAULT_INJECTOR_CONFIG.proxyUid));
    expect(await uid(`${POD}-web`)).toBe('1000');
  }, 180_000);

  describeEmojivotoPods(() => store, { mesh: MESH, emojivoto: EMOJIVOTO });
});
