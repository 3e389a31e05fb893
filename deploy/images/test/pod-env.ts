import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container, V1EnvVar, V1Pod, V1Volume } from '@kubernetes/client-node';

/** What a pod's spec asks the API server for: ConfigMaps, Secrets and ServiceAccount tokens. */
export interface ClusterObjects {
  configMap(namespace: string, name: string): Readonly<Record<string, string>>;
  secret(namespace: string, name: string): Readonly<Record<string, string>>;
  /** A token for the ServiceAccount, as a projected serviceAccountToken volume holds it. */
  token(serviceAccount: string, namespace: string, audience: string | undefined): string;
}

/** A pod as the kubelet sees it once scheduled: its spec, its name, and the IP its network gave it. */
export interface ScheduledPod {
  readonly pod: V1Pod;
  readonly name: string;
  readonly namespace: string;
  readonly ip: string;
  readonly nodeName: string;
}

const serviceAccountOf = (p: ScheduledPod) => p.pod.spec?.serviceAccountName ?? 'default';

function fieldValue(p: ScheduledPod, fieldPath: string): string {
  switch (fieldPath) {
    case 'metadata.name':
      return p.name;
    case 'metadata.namespace':
      return p.namespace;
    case 'spec.nodeName':
      return p.nodeName;
    case 'spec.serviceAccountName':
      return serviceAccountOf(p);
    case 'status.podIP':
      return p.ip;
    default:
      throw new Error(`pod ${p.name}: the downward-API field ${fieldPath} is not filled here`);
  }
}

function required(values: Readonly<Record<string, string>>, key: string, what: string): string {
  const value = values[key];
  if (value === undefined) throw new Error(`${what} has no key ${key}`);
  return value;
}

function envValue(p: ScheduledPod, v: V1EnvVar, objects: ClusterObjects): string {
  const from = v.valueFrom;
  if (!from) return v.value ?? '';
  if (from.fieldRef) return fieldValue(p, from.fieldRef.fieldPath);
  if (from.configMapKeyRef) {
    const { name, key } = from.configMapKeyRef;
    return required(objects.configMap(p.namespace, name ?? ''), key, `ConfigMap ${name}`);
  }
  if (from.secretKeyRef) {
    const { name, key } = from.secretKeyRef;
    return required(objects.secret(p.namespace, name ?? ''), key, `Secret ${name}`);
  }
  throw new Error(`pod ${p.name}: env ${v.name} takes its value from a source not filled here`);
}

/**
 * `$(VAR)` as the kubelet expands it: a variable defined earlier in the same
 * container's env; `$$` escapes; an unknown reference stays as written.
 */
export function expand(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) =>
    name === undefined ? '$' : (vars.get(name) ?? whole),
  );
}

/** The container's environment as NAME=value pairs, and its args, expanded as the kubelet does. */
export function containerEnv(
  p: ScheduledPod,
  c: V1Container,
  objects: ClusterObjects,
): { env: string[]; args: string[] } {
  const vars = new Map<string, string>();
  for (const v of c.env ?? []) vars.set(v.name, expand(envValue(p, v, objects), vars));
  return {
    env: [...vars].map(([name, value]) => `${name}=${value}`),
    args: (c.args ?? []).map((a) => expand(a, vars)),
  };
}

function writeFiles(dir: string, files: Readonly<Record<string, string>>, mode: number): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), content, { mode });
    chmodSync(join(dir, name), mode);
  }
}

/**
 * Makes each of the pod's volumes a folder under `dir`, filled as the kubelet
 * fills it. Files are world-readable, since the containers run as other users
 * than this process; emptyDirs are writable by all, as their one pod shares
 * them.
 */
export function podVolumes(p: ScheduledPod, dir: string, objects: ClusterObjects): Map<string, string> {
  const made = new Map<string, string>();
  for (const v of p.pod.spec?.volumes ?? ([] as V1Volume[])) {
    const at = join(dir, v.name);
    if (v.hostPath) {
      made.set(v.name, v.hostPath.path);
      continue;
    }
    if (v.emptyDir) {
      mkdirSync(at, { recursive: true });
      chmodSync(at, 0o1777);
    } else if (v.configMap) writeFiles(at, objects.configMap(p.namespace, v.configMap.name ?? ''), 0o644);
    else if (v.secret) writeFiles(at, objects.secret(p.namespace, v.secret.secretName ?? ''), 0o644);
    else if (v.projected) {
      const files: Record<string, string> = {};
      for (const source of v.projected.sources ?? []) {
        const t = source.serviceAccountToken;
        if (!t) throw new Error(`pod ${p.name}: volume ${v.name} projects a source other than a token`);
        files[t.path] = objects.token(serviceAccountOf(p), p.namespace, t.audience);
      }
      writeFiles(at, files, 0o644);
    } else throw new Error(`pod ${p.name}: volume ${v.name} is of a kind not made here`);
    made.set(v.name, at);
  }
  return made;
}
