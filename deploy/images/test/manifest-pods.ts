import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container, V1Deployment, V1EnvVar, V1Pod, V1Service, V1Volume } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { IMAGES_DIR } from './podman.ts';

/** The objects of a manifest file under deploy/, as the API server would take them. */
export function manifest(path: string): unknown[] {
  const text = readFileSync(join(IMAGES_DIR, '..', path), 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter(Boolean);
}

const ofKind = <T>(objects: unknown[], kind: string) =>
  objects.filter((o) => (o as { kind?: string }).kind === kind) as T[];

export const deployments = (objects: unknown[]) => ofKind<V1Deployment>(objects, 'Deployment');
export const services = (objects: unknown[]) => ofKind<V1Service>(objects, 'Service');

/** Annotations of the manifest's Namespace objects, by name. */
export function namespaceAnnotations(objects: unknown[]): Map<string, Record<string, string>> {
  const found = new Map<string, Record<string, string>>();
  for (const ns of ofKind<{ metadata: { name: string; annotations?: Record<string, string> } }>(objects, 'Namespace')) {
    found.set(ns.metadata.name, ns.metadata.annotations ?? {});
  }
  return found;
}

/** The pod a Deployment's ReplicaSet would create: its template, in the Deployment's namespace. */
export function podOf(d: V1Deployment): V1Pod {
  const template = d.spec?.template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...template?.metadata, namespace: d.metadata?.namespace },
    spec: template?.spec,
  };
}

/** A change to every container of a pod: env entries set, and a volume mounted (read-only). */
export interface PodPatch {
  readonly env: Readonly<Record<string, string>>;
  readonly volume: V1Volume;
  readonly mountPath: string;
}

function withEnv(c: V1Container, values: Readonly<Record<string, string>>): V1Container {
  const env: V1EnvVar[] = (c.env ?? []).map((v) => (v.name in values ? { name: v.name, value: values[v.name] } : v));
  for (const [name, value] of Object.entries(values)) if (!env.some((v) => v.name === name)) env.push({ name, value });
  return { ...c, env };
}

export function patchPod(pod: V1Pod, patch: PodPatch): V1Pod {
  const mount = { name: patch.volume.name, mountPath: patch.mountPath, readOnly: true };
  return {
    ...pod,
    spec: {
      ...pod.spec,
      containers: (pod.spec?.containers ?? []).map((c) => ({
        ...withEnv(c, patch.env),
        volumeMounts: [...(c.volumeMounts ?? []), mount],
      })),
      volumes: [...(pod.spec?.volumes ?? []), patch.volume],
    },
  };
}
