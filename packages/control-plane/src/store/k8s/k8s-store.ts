import { KubeConfig } from '@kubernetes/client-node';
import type { ResourceKind } from '../../resources/types.ts';
import { ResourceState } from '../state.ts';
import {
  ChangeBus,
  type ChangeListener,
  type ProblemListener,
  type ResourceStore,
  type StoreProblem,
} from '../store.ts';
import { KIND_PATHS } from './api-paths.ts';
import { Reflector, type ReflectorOptions } from './reflector.ts';

export interface K8sStoreOptions extends ReflectorOptions {
  /** Kinds to watch; all of KIND_PATHS by default. */
  kinds?: readonly ResourceKind[];
  onProblem?: ProblemListener;
}

/** Loads a KubeConfig: the given file, else in-cluster, else ~/.kube/config. */
export function loadKubeConfig(file: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  return kc;
}

/** The Kubernetes backend: one reflector (list + watch) per kind, all feeding one state. */
export class K8sStore implements ResourceStore {
  readonly state = new ResourceState();
  private readonly bus = new ChangeBus(this.state);
  private readonly reflectors: Reflector[];
  private readonly current = new Map<string, string>();
  private readonly onProblem: ProblemListener;

  constructor(kc: KubeConfig, options: K8sStoreOptions = {}) {
    this.onProblem = options.onProblem ?? logProblem;
    const kinds = options.kinds ?? KIND_PATHS.map((k) => k.kind);
    this.reflectors = KIND_PATHS.filter((k) => kinds.includes(k.kind)).map(
      (target) =>
        new Reflector(
          kc,
          target,
          {
            replace: (desired, keep) => this.bus.commit(this.state.diff(target.kind, desired, keep)),
            upsert: (resource) =>
              this.bus.commit([
                { kind: target.kind, key: `${resource.meta.namespace}/${resource.meta.name}`, resource },
              ]),
            remove: (key) => this.bus.commit([{ kind: target.kind, key }]),
            problem: (problem) => {
              this.current.set(problem.source, problem.message);
              this.onProblem(problem);
            },
            resolved: (source, prefix) => {
              for (const key of this.current.keys()) {
                if (key === source || (prefix && key.startsWith(`${source} `))) this.current.delete(key);
              }
            },
          },
          options,
        ),
    );
    for (const r of this.reflectors) r.start();
  }

  async ready(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.listed));
  }

  subscribe(listener: ChangeListener): () => void {
    return this.bus.subscribe(listener);
  }

  problems(): StoreProblem[] {
    return [...this.current].map(([source, message]) => ({ source, message }));
  }

  /** Relists and watch connections so far, summed over kinds. */
  stats(): { lists: number; watches: number; events: number } {
    const sum = { lists: 0, watches: 0, events: 0 };
    for (const r of this.reflectors) {
      sum.lists += r.stats.lists;
      sum.watches += r.stats.watches;
      sum.events += r.stats.events;
    }
    return sum;
  }

  async close(): Promise<void> {
    for (const r of this.reflectors) r.stop();
  }
}

function logProblem(problem: StoreProblem): void {
  console.error(JSON.stringify({ level: 'warn', msg: 'kubernetes input problem', ...problem }));
}
