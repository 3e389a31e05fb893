import type { Change, ChangeSet, ResourceState } from './state.ts';

export type ChangeListener = (changes: ChangeSet) => void;

/** A problem with input the store could not use; it kept its last good state. */
export interface StoreProblem {
  /** The file (local) or API path (Kubernetes) it came from. */
  source: string;
  message: string;
}

/**
 * Where the control plane's resources come from: the Kubernetes API or a local
 * folder (plus registered endpoints). Readers read `state` and re-read on change.
 */
export interface ResourceStore {
  readonly state: ResourceState;
  /** Resolves once every kind has been loaded once. */
  ready(): Promise<void>;
  subscribe(listener: ChangeListener): () => void;
  /** Current problems by source; cleared when the source becomes good again. */
  problems(): StoreProblem[];
  close(): Promise<void>;
}

export type ProblemListener = (problem: StoreProblem) => void;

/** Listener fan-out shared by the backends: apply a batch, then tell everyone once. */
export class ChangeBus {
  private readonly listeners = new Set<ChangeListener>();
  private readonly state: ResourceState;

  constructor(state: ResourceState) {
    this.state = state;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  commit(batch: readonly Change[]): void {
    if (batch.length === 0) return;
    const changes = this.state.apply(batch);
    if (changes.keys.size === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(changes);
      } catch (err) {
        // One broken watcher must not stop the others from hearing about the change.
        console.error(JSON.stringify({ level: 'error', msg: 'change listener failed', err: String(err) }));
      }
    }
  }
}
