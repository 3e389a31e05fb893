import type { InjectorConfig } from '@weft/control-plane/injector';
import { applyPatch, INJECT_ANNOTATION, injectPod, isInjectorError } from '@weft/control-plane/injector';
import type { Document } from 'yaml';
import { isCollection, parseAllDocuments } from 'yaml';
import { CliError, CliErrorCode } from '../errors.ts';
import { findObjects } from './workloads.ts';

export interface InjectYamlOptions {
  /** Add the proxy and init containers themselves instead of only the annotation. */
  readonly manual: boolean;
  readonly config: InjectorConfig;
  /** `config.weft.dev/*` annotations from flags, written onto every pod template. */
  readonly podAnnotations: Readonly<Record<string, string>>;
  /**
   * Offline there is no namespace to ask, so its annotations come from flags
   * and from Namespace objects in the input; the flags win.
   */
  readonly namespaceAnnotations: (namespace: string | undefined) => Readonly<Record<string, string>>;
}

/** Annotations of the Namespace objects in a YAML stream (also inside Lists), by name. */
export function namespacesIn(text: string): Map<string, Record<string, string>> {
  const found = new Map<string, Record<string, string>>();
  const visit = (o: unknown) => {
    if (!isObj(o)) return;
    if (Array.isArray(o.items)) for (const item of o.items) visit(item);
    const meta = isObj(o.metadata) ? o.metadata : {};
    if (o.kind === 'Namespace' && typeof meta.name === 'string') {
      found.set(meta.name, isObj(meta.annotations) ? (meta.annotations as Record<string, string>) : {});
    }
  };
  // Unparseable documents are reported by injectYaml with their position.
  for (const doc of parseAllDocuments(text)) if (doc.errors.length === 0) visit(doc.toJS());
  return found;
}

/** One line of the summary: `deployment "web" injected`. */
export interface InjectReport {
  readonly kind: string;
  readonly name: string;
  readonly outcome: 'injected' | 'skipped' | 'annotated';
  readonly reason?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function getIn(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of path) node = isObj(node) || Array.isArray(node) ? (node as Obj)[key] : undefined;
  return node;
}

/**
 * `weft inject` on one YAML stream: every pod template gets the inject
 * annotation (or, with `manual`, the full sidecar), everything else is passed
 * through untouched, comments included.
 */
export function injectYaml(
  text: string,
  source: string,
  opts: InjectYamlOptions,
): { yaml: string; reports: InjectReport[] } {
  const docs = parseAllDocuments(text);
  const reports: InjectReport[] = [];
  const out: string[] = [];
  for (const doc of docs as Document[]) {
    const firstError = doc.errors[0];
    if (firstError) throw new CliError(CliErrorCode.ParseInput, `${source}: ${firstError.message}`);
    const root = doc.toJS();
    if (root === null || root === undefined) continue;
    const { templates, others } = findObjects(root);
    for (const t of templates) reports.push(injectTemplate(doc, getIn(root, t.path), t, source, opts));
    for (const o of others) {
      if (o.kind === 'Namespace') {
        doc.setIn([...o.path, 'metadata', 'annotations', INJECT_ANNOTATION], 'enabled');
        reports.push({ kind: o.kind, name: o.name, outcome: 'annotated' });
      } else {
        reports.push({ kind: o.kind, name: o.name, outcome: 'skipped' });
      }
    }
    out.push(doc.toString({ directives: false, lineWidth: 0 }));
  }
  return { yaml: out.join('---\n'), reports };
}

function injectTemplate(
  doc: Document,
  template: unknown,
  ref: { path: readonly (string | number)[]; kind: string; name: string; namespace: string | undefined },
  source: string,
  opts: InjectYamlOptions,
): InjectReport {
  const tpl = isObj(template) ? template : {};
  const meta = isObj(tpl.metadata) ? tpl.metadata : {};
  const existing = isObj(meta.annotations) ? (meta.annotations as Record<string, string>) : {};
  const added: Record<string, string> = { ...opts.podAnnotations, [INJECT_ANNOTATION]: 'enabled' };
  // Asking for injection on the command line does not override an explicit opt-out.
  if (existing[INJECT_ANNOTATION] === 'disabled') added[INJECT_ANNOTATION] = 'disabled';
  const pod = { metadata: { ...meta, annotations: { ...existing, ...added } }, spec: tpl.spec } as Parameters<
    typeof injectPod
  >[0]['pod'];
  const owner = ref.kind === 'Pod' ? undefined : { kind: ref.kind, name: ref.name };
  let result: ReturnType<typeof injectPod>;
  try {
    // Both modes run the transform, so a bad flag or annotation fails here
    // rather than later in the cluster's webhook.
    result = injectPod(
      { pod, namespace: ref.namespace, namespaceAnnotations: opts.namespaceAnnotations(ref.namespace), owner },
      opts.config,
    );
  } catch (err) {
    if (!isInjectorError(err)) throw err;
    throw new CliError(CliErrorCode.Inject, `${source}: ${ref.kind.toLowerCase()} "${ref.name}": ${err.message}`);
  }
  if (result.kind === 'skipped') return { kind: ref.kind, name: ref.name, outcome: 'skipped', reason: result.message };
  if (opts.manual) {
    const injected = applyPatch(pod, result.patch);
    doc.setIn([...ref.path, 'metadata'], doc.createNode(injected.metadata));
    doc.setIn([...ref.path, 'spec'], doc.createNode(injected.spec));
  } else {
    for (const [k, v] of Object.entries(added)) {
      const path = [...ref.path, 'metadata', 'annotations'];
      if (!isCollection(doc.getIn(path))) doc.setIn(path, doc.createNode({}));
      doc.setIn([...path, k], v);
    }
  }
  return { kind: ref.kind, name: ref.name, outcome: 'injected' };
}
