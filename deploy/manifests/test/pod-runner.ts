import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { V1Container, V1PodSpec, V1Volume } from '@kubernetes/client-node';
import type { K8sObject } from '../src/k8s-object.ts';
import { parseDocuments, REPO_ROOT } from '../src/yaml-documents.ts';

// A control-plane container run as a local process the way its pod would run
// it: its Deployment's environment, its Secret and ConfigMap volumes written
// as the kubelet writes them, and paths under a mount moved to where they are.

const run = promisify(execFile);

/** What a certificate script would apply, from its --print mode. */
export async function printScript(script: string, dir: string): Promise<{ objects: K8sObject[]; stdout: string }> {
  const { stdout } = await run(join(REPO_ROOT, 'deploy/scripts', script), ['--print', dir], { cwd: REPO_ROOT });
  return { objects: parseDocuments(stdout, `${script} --print`).map((d) => d.object), stdout };
}

/** A Secret's or ConfigMap's keys as the kubelet writes them into a volume. */
function writeVolume(dir: string, source: K8sObject): void {
  mkdirSync(dir, { recursive: true });
  const data = (source.data ?? {}) as Record<string, string>;
  for (const [key, value] of Object.entries(data)) {
    writeFileSync(join(dir, key), source.kind === 'Secret' ? Buffer.from(value, 'base64') : value);
  }
}

/**
 * Writes the pod's Secret and ConfigMap volumes under `root` from `sources`
 * (a missing one fails: the pod would never start) and returns its first
 * container's environment with mounted paths moved under `root`.
 */
export function podEnvironment(pod: V1PodSpec, sources: readonly K8sObject[], root: string): Record<string, string> {
  const volumes = pod.volumes ?? [];
  const mounted = (v: V1Volume) => join(root, v.name);
  for (const v of volumes) {
    const name = v.secret?.secretName ?? v.configMap?.name;
    if (!name) continue;
    const source = sources.find((o) => o.metadata?.name === name);
    if (!source) throw new Error(`volume ${v.name}: nothing makes ${name}`);
    writeVolume(mounted(v), source);
  }
  const container = pod.containers[0] as V1Container;
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    let value = e.value ?? '';
    for (const m of container.volumeMounts ?? []) {
      const volume = volumes.find((v) => v.name === m.name) as V1Volume;
      if (value === m.mountPath || value.startsWith(`${m.mountPath}/`)) {
        value = join(mounted(volume), value.slice(m.mountPath.length));
      }
    }
    env[e.name] = value;
  }
  return env;
}

/** Starts `node <script>` and resolves with the port its output names once it matches `listening`. */
export function startNode(
  script: string,
  env: Record<string, string>,
  listening: RegExp,
): { child: ChildProcess; port: Promise<number> } {
  const child = spawn(process.execPath, [join(REPO_ROOT, script)], {
    env: { PATH: process.env.PATH, ...env },
    stdio: 'pipe',
  });
  const port = new Promise<number>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = listening.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}: ${out}`)));
  });
  return { child, port };
}
