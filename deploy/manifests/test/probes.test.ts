import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Container, V1PodSpec, V1Probe } from '@kubernetes/client-node';
import { loadConfig } from '@weft/control-plane';
import { parseConfig } from '@weft/identity';
import { afterEach, describe, expect, it } from 'vitest';
import type { V1Deployment } from './deploy-objects.ts';
import { deployObjects, ofKind } from './deploy-objects.ts';
import { podEnvironment, printScript, startNode } from './pod-runner.ts';

// The kubelet probes a port by its name and a path: both must be what the
// process serves. Each component runs here with its Deployment's environment,
// changed only where there is no cluster (listen on loopback, port 0; identity
// checks tokens itself instead of by TokenReview; destination reads a folder
// instead of the API server), and is probed as the kubelet would.

const deployments = ofKind<V1Deployment>(deployObjects('control-plane'), 'Deployment');
const podOf = (name: string) => deployments.find((d) => d.metadata?.name === name)?.spec?.template.spec as V1PodSpec;
const children: ChildProcess[] = [];
let work = '';
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The container port a probe names, which the process must listen on. */
function probedPort(c: V1Container, probe: V1Probe | undefined): number | undefined {
  return c.ports?.find((p) => p.name === probe?.httpGet?.port)?.containerPort;
}

/** Probes the way the kubelet does until each answers 200 or the deadline passes; returns the last statuses. */
async function probe(port: number, paths: string[], deadlineMs = 20_000): Promise<Record<string, number>> {
  const until = Date.now() + deadlineMs;
  let statuses: Record<string, number> = {};
  do {
    statuses = {};
    for (const path of paths) statuses[path] = (await fetch(`http://127.0.0.1:${port}${path}`)).status;
    if (Object.values(statuses).every((s) => s === 200)) return statuses;
    await new Promise((r) => setTimeout(r, 200));
  } while (Date.now() < until);
  return statuses;
}

describe('control-plane probes', () => {
  it('identity answers its liveness and readiness probes, ready with the issuer its volumes hold', async () => {
    work = mkdtempSync(join(tmpdir(), 'weft-probes-'));
    const pod = podOf('weft-identity');
    const c = pod.containers[0] as V1Container;
    const { objects } = await printScript('identity-certs.sh', join(work, 'certs'));
    const env = podEnvironment(pod, objects, join(work, 'volumes'));
    const config = parseConfig((n) => env[n]);
    expect(probedPort(c, c.readinessProbe)).toBe(Number(config.adminListen.split(':').pop()));
    expect(probedPort(c, c.livenessProbe)).toBe(Number(config.adminListen.split(':').pop()));
    writeFileSync(join(work, 'token-key'), 'ab'.repeat(32));
    const started = startNode(
      'packages/identity/src/main.ts',
      {
        ...env,
        WEFT_IDENTITY_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_IDENTITY_ADMIN_ADDR: '127.0.0.1:0',
        WEFT_IDENTITY_TOKEN_MODE: 'local',
        WEFT_IDENTITY_LOCAL_TOKEN_KEY_FILE: join(work, 'token-key'),
      },
      /admin server listening.* port=(\d+)/,
    );
    children.push(started.child);
    const paths = [c.readinessProbe?.httpGet?.path, c.livenessProbe?.httpGet?.path] as string[];
    expect(await probe(await started.port, paths)).toEqual({ '/ready': 200, '/live': 200 });
  });

  it('destination answers its liveness and readiness probes once its resources are loaded', async () => {
    work = mkdtempSync(join(tmpdir(), 'weft-probes-'));
    const pod = podOf('weft-destination');
    const c = pod.containers[0] as V1Container;
    const env = podEnvironment(pod, [], join(work, 'volumes'));
    const config = loadConfig((n) => (n === 'WEFT_CP_IDENTITY_TRUST_ANCHORS' ? 'from the ConfigMap' : env[n]));
    expect(probedPort(c, c.readinessProbe)).toBe(config.admin.port);
    expect(probedPort(c, c.livenessProbe)).toBe(config.admin.port);
    mkdirSync(join(work, 'resources'));
    const started = startNode(
      'packages/control-plane/src/main.ts',
      {
        ...env,
        WEFT_CP_BACKEND: 'local',
        WEFT_CP_PLAINTEXT: 'true',
        WEFT_CP_RESOURCE_DIR: join(work, 'resources'),
        WEFT_CP_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_CP_ADMIN_ADDR: '127.0.0.1:0',
      },
      /"admin":"127\.0\.0\.1:(\d+)"/,
    );
    children.push(started.child);
    const paths = [c.readinessProbe?.httpGet?.path, c.livenessProbe?.httpGet?.path] as string[];
    expect(await probe(await started.port, paths)).toEqual({ '/ready': 200, '/live': 200 });
  });
});
