// Where each kind keeps its pod template, so `weft inject` can find the pod
// inside a Deployment as well as inside a CronJob or a List.

/** A pod template found in a document, with the path to it from the document root. */
export interface PodTemplateRef {
  /** Path to the object holding `metadata` and `spec` of the pod. */
  readonly path: readonly (string | number)[];
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
}

/** A top-level object that has no pod template, reported as skipped. */
export interface OtherRef {
  readonly path: readonly (string | number)[];
  readonly kind: string;
  readonly name: string;
}

const TEMPLATE_PATHS: Record<string, readonly string[]> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Walks one parsed document (and the items of a List) into workloads and other objects. */
export function findObjects(
  root: unknown,
  base: readonly (string | number)[] = [],
): { templates: PodTemplateRef[]; others: OtherRef[] } {
  const templates: PodTemplateRef[] = [];
  const others: OtherRef[] = [];
  if (!isObj(root)) return { templates, others };
  const kind = typeof root.kind === 'string' ? root.kind : '';
  const meta = isObj(root.metadata) ? root.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  if ((kind === 'List' || kind.endsWith('List')) && Array.isArray(root.items)) {
    root.items.forEach((item, i) => {
      const found = findObjects(item, [...base, 'items', i]);
      templates.push(...found.templates);
      others.push(...found.others);
    });
    return { templates, others };
  }
  const rel = TEMPLATE_PATHS[kind];
  if (rel) {
    let node: unknown = root;
    for (const key of rel) node = isObj(node) ? node[key] : undefined;
    if (isObj(node)) {
      const namespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
      templates.push({ path: [...base, ...rel], kind, name, namespace });
      return { templates, others };
    }
  }
  if (kind) others.push({ path: base, kind, name });
  return { templates, others };
}
