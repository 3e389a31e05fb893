import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CliError, CliErrorCode } from '../errors.ts';

// What `weft dev --pods` reads from the resource folder besides what the
// control plane reads: each Service's selector and ports (to plan virtual IPs
// and hosts entries), and the Deployments to run as pods beside emojivoto,
// in the shape of their Kubernetes manifests. The control plane skips
// Deployments, so one folder describes both.

export interface PodService {
  readonly name: string;
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  /** Numeric target ports only: a named one names a container port, which pods mode does not look up. */
  readonly ports: readonly { readonly port: number; readonly targetPort: number }[];
}

/** One Deployment's pod template, reduced to what a pod without a container runtime runs. */
export interface PodDeployment {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  /** The first container's command and args, run as they are (`node` is found on PATH). */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly ports: readonly number[];
  /** When it is ready; without a probe, once it runs (as a container without a readiness probe). */
  readonly probe?: PodProbe;
}

/**
 * A readiness probe, run from the host at the pod's address like the
 * kubelet's (through the sidecar's inbound side in a meshed pod); or, for an
 * app that prints when it listens, a line of its output.
 */
export type PodProbe =
  | { readonly kind: 'http'; readonly port: number; readonly path: string }
  | { readonly kind: 'tcp'; readonly port: number }
  | { readonly kind: 'log'; readonly pattern: RegExp };

export interface PodResources {
  readonly services: readonly PodService[];
  readonly deployments: readonly PodDeployment[];
}

type Doc = Record<string, unknown>;
const obj = (v: unknown): Doc => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Doc) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));

function readService(doc: Doc, where: string): PodService {
  const meta = obj(doc.metadata);
  const spec = obj(doc.spec);
  const ports = list(spec.ports).flatMap((p) => {
    const { port, targetPort } = obj(p);
    const target = targetPort ?? port;
    return typeof port === 'number' && typeof target === 'number' ? [{ port, targetPort: target }] : [];
  });
  if (typeof meta.name !== 'string') throw bad(where, 'a Service without metadata.name');
  return {
    name: meta.name,
    namespace: typeof meta.namespace === 'string' ? meta.namespace : 'default',
    selector: strings(spec.selector),
    ports,
  };
}

function readDeployment(doc: Doc, where: string): PodDeployment {
  const meta = obj(doc.metadata);
  const template = obj(obj(doc.spec).template);
  const podSpec = obj(template.spec);
  const container = obj(list(podSpec.containers)[0]);
  const name = meta.name;
  if (typeof name !== 'string') throw bad(where, 'a Deployment without metadata.name');
  const argv = [...list(container.command), ...list(container.args)];
  if (argv.length === 0 || argv.some((a) => typeof a !== 'string'))
    throw bad(where, `Deployment ${name}: its first container needs a command (pods mode runs no images)`);
  const env: Record<string, string> = {};
  for (const e of list(container.env)) {
    const { name: variable, value } = obj(e);
    if (typeof variable === 'string' && typeof value === 'string') env[variable] = value;
  }
  const readiness = obj(container.readinessProbe);
  const http = obj(readiness.httpGet);
  const tcp = obj(readiness.tcpSocket);
  const probe: PodProbe | undefined =
    typeof http.port === 'number'
      ? { kind: 'http', port: http.port, path: typeof http.path === 'string' ? http.path : '/' }
      : typeof tcp.port === 'number'
        ? { kind: 'tcp', port: tcp.port }
        : undefined;
  return {
    name,
    namespace: typeof meta.namespace === 'string' ? meta.namespace : 'default',
    labels: strings(obj(template.metadata).labels),
    annotations: strings(obj(template.metadata).annotations),
    serviceAccount: typeof podSpec.serviceAccountName === 'string' ? podSpec.serviceAccountName : 'default',
    argv: argv as string[],
    env,
    ports: list(container.ports).flatMap((p) => {
      const port = obj(p).containerPort;
      return typeof port === 'number' ? [port] : [];
    }),
    probe,
  };
}

const bad = (where: string, message: string) => new CliError(CliErrorCode.Usage, `${where}: ${message}`);

/** The Services and Deployments of every .yaml/.yml file under `dir`; USAGE naming the file for one that cannot run. */
export function readPodResources(dir: string): PodResources {
  const services: PodService[] = [];
  const deployments: PodDeployment[] = [];
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((n) => /\.ya?ml$/.test(n))
    .sort();
  for (const file of files) {
    for (const parsed of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      // The control plane reports a file that does not parse; here it declares nothing.
      if (parsed.errors.length > 0) continue;
      const doc = obj(parsed.toJS());
      if (doc.apiVersion === 'v1' && doc.kind === 'Service') services.push(readService(doc, file));
      if (doc.apiVersion === 'apps/v1' && doc.kind === 'Deployment') deployments.push(readDeployment(doc, file));
    }
  }
  return { services, deployments };
}

/** Whether the Service selects pods with these labels (an empty selector selects none, as for a Service without one). */
export const selects = (s: PodService, namespace: string, labels: Readonly<Record<string, string>>): boolean =>
  s.namespace === namespace &&
  Object.keys(s.selector).length > 0 &&
  Object.entries(s.selector).every(([k, v]) => labels[k] === v);
