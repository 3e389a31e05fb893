/** A Kubernetes object as read from YAML: only apiVersion and kind are known before validation. */
export interface K8sObject {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown };
  readonly [field: string]: unknown;
}

/** One document of a YAML file, with where it came from so an error can point at it. */
export interface YamlDocument {
  /** Path relative to the repository root, e.g. deploy/control-plane/identity.yaml. */
  readonly file: string;
  /** 0-based position of the document in its file, counting `---` separators. */
  readonly index: number;
  readonly object: K8sObject;
  /** YAML syntax errors; the object is then unusable. */
  readonly parseErrors: readonly string[];
}

export const describeObject = (o: K8sObject): string =>
  `${String(o.apiVersion)} ${String(o.kind)} ${String(o.metadata?.name ?? '(no name)')}`;
