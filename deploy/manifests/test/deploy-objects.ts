import { join } from 'node:path';
import type {
  V1ClusterRole,
  V1Deployment,
  V1MutatingWebhookConfiguration,
  V1PodDisruptionBudget,
} from '@kubernetes/client-node';
import type { K8sObject } from '../src/k8s-object.ts';
import { REPO_ROOT, readDocuments, yamlFiles } from '../src/yaml-documents.ts';

/** The objects of every YAML file in a folder of deploy/ ('.' for all), in file order; this package's fixtures are not among them. */
export function deployObjects(dir: string): K8sObject[] {
  return yamlFiles(join(REPO_ROOT, 'deploy', dir), ['deploy/manifests']).flatMap((f) =>
    readDocuments(f).map((d) => d.object),
  );
}

export const ofKind = <T>(objects: readonly K8sObject[], kind: string): T[] =>
  objects.filter((o) => o.kind === kind) as unknown as T[];

export type { V1ClusterRole, V1Deployment, V1MutatingWebhookConfiguration, V1PodDisruptionBudget };
