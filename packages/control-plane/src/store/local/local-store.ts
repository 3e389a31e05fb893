import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ControlPlaneConfig } from '../../config.ts';
import { resourceConflicts } from '../../destination/conflicts.ts';
import { cpError, ErrorCode } from '../../errors.ts';
import { getOrCreate } from '../../map-util.ts';
import { keyOf, RESOURCE_KINDS, type Resource, type ResourceKind, type Service } from '../../resources/types.ts';
import { type Change, ResourceState } from '../state.ts';
import {
  ChangeBus,
  type ChangeListener,
  type ProblemListener,
  type ResourceStore,
  type StoreProblem,
} from '../store.ts';

export type { NoticeListener, StoreNotice } from './notices.ts';

import { describeResources, logNotice, type NoticeListener, redeclared } from './notices.ts';
import { type LocalWorkload, registrationChanges, validateWorkload, workloadIdentity } from './registry.ts';
import { parseYamlFile } from './yaml-file.ts';

export type LocalStoreConfig = Pick<ControlPlaneConfig, 'resourceDir' | 'debounceMs' | 'namespace' | 'trustDomain'> &
  Partial<Pick<ControlPlaneConfig, 'clusterDomain' | 'localServiceIPs'>>;

const YAML_FILE = /\.ya?ml$/;

/**
 * How long a file that had resources must stay empty before it is taken at
 * its word. Saving in place (an editor, `>` in a shell) truncates the file and
 * then writes it: a reload between the two would withdraw everything the file
 * declares (a Server falling back to the default policy) and make the empty
 * file the last good state that an invalid save then keeps.
 */
export const EMPTY_GRACE_MS = 500;

/**
 * The local backend: a watched folder of Kubernetes-shaped YAML, plus the
 * workloads the local runner registers. A file that fails to parse is reported
 * by name and its last good content stays in force.
 */
export class LocalStore implements ResourceStore {
  readonly state = new ResourceState();
  private readonly bus = new ChangeBus(this.state);
  private readonly cfg: LocalStoreConfig;
  private readonly onProblem: ProblemListener;
  /** Last good resources of each file, by path relative to the folder. */
  private readonly files = new Map<string, Resource[]>();
  private readonly fileProblems = new Map<string, string>();
  /** The text each file had when last applied: a reload that changes nothing in it says nothing. */
  private readonly appliedText = new Map<string, string>();
  /** The conflicts last told, so each is told once while it lasts. */
  private toldConflicts = new Set<string>();
  private readonly onNotice: NoticeListener;
  /** Files found empty that had resources, and since when (performance.now()). */
  private readonly emptySince = new Map<string, number>();
  private readonly workloads = new Map<number, LocalWorkload>();
  private nextWorkload = 1;
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private loading: Promise<void> = Promise.resolve();
  private readonly loaded: Promise<void>;

  constructor(cfg: LocalStoreConfig, onProblem: ProblemListener = logProblem, onNotice: NoticeListener = logNotice) {
    this.cfg = cfg;
    this.onProblem = onProblem;
    this.onNotice = onNotice;
    this.loaded = this.reload();
    try {
      this.watcher = watch(cfg.resourceDir, { recursive: true }, () => this.schedule());
      this.watcher.on('error', (err) =>
        this.report({ source: cfg.resourceDir, message: `watch failed: ${err.message}` }),
      );
    } catch (err) {
      this.report({ source: cfg.resourceDir, message: `cannot watch: ${(err as Error).message}` });
    }
  }

  ready(): Promise<void> {
    return this.loaded;
  }

  subscribe(listener: ChangeListener): () => void {
    return this.bus.subscribe(listener);
  }

  problems(): StoreProblem[] {
    return [...this.fileProblems].map(([source, message]) => ({ source, message }));
  }

  /** Adds a workload; the returned function removes it. Throws WEFT_CP_INVALID_REGISTRATION. */
  register(workload: LocalWorkload): { identity: string; unregister: () => void } {
    validateWorkload(workload);
    for (const w of this.workloads.values()) {
      // Two registrations of one pod would share its resources, and the first to leave would remove both.
      if (w.namespace === workload.namespace && w.pod === workload.pod) {
        throw cpError(ErrorCode.DuplicateRegistration, `pod ${w.namespace}/${w.pod} is already registered`, {
          pod: w.pod,
          namespace: w.namespace,
        });
      }
    }
    const id = this.nextWorkload++;
    this.workloads.set(id, workload);
    this.bus.commit(registrationChanges(this.cfg, workload, this.lookup, true));
    return {
      identity: workloadIdentity(this.cfg, workload),
      unregister: () => {
        if (!this.workloads.delete(id)) return;
        this.bus.commit(registrationChanges(this.cfg, workload, this.lookup, false));
      },
    };
  }

  /** Re-reads the folder now; the debounced watcher calls this after edits. */
  reload(): Promise<void> {
    this.loading = this.loading.then(() => this.readFolder());
    return this.loading;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.watcher?.close();
    await this.loading;
  }

  private readonly lookup = (ns: string, name: string) => this.state.get('Service', ns, name);

  private schedule(): void {
    // Editors write a file in several steps (truncate, write, rename); wait for quiet.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), this.cfg.debounceMs);
  }

  private async readFolder(): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(this.cfg.resourceDir, { recursive: true })).filter((n) => YAML_FILE.test(n)).sort();
    } catch (err) {
      this.report({ source: this.cfg.resourceDir, message: `cannot read folder: ${(err as Error).message}` });
      return;
    }
    const seen = new Set(names);
    for (const name of [...this.appliedText.keys()]) {
      if (seen.has(name)) continue;
      this.appliedText.delete(name);
      if (this.files.get(name)?.length)
        this.onNotice({ msg: 'resources withdrawn', source: name, detail: 'file removed' });
    }
    for (const name of [...this.files.keys()]) if (!seen.has(name)) this.files.delete(name);
    for (const name of [...this.fileProblems.keys()]) if (!seen.has(name)) this.fileProblems.delete(name);
    for (const name of [...this.emptySince.keys()]) if (!seen.has(name)) this.emptySince.delete(name);
    for (const name of names) {
      const path = join(this.cfg.resourceDir, name);
      try {
        const text = await readFile(path, 'utf8');
        if (this.stillBeingWritten(name, text)) continue;
        const resources = parseYamlFile(relative(process.cwd(), path) || name, text);
        this.files.set(name, resources);
        this.fileProblems.delete(name);
        if (this.appliedText.get(name) !== text) {
          this.appliedText.set(name, text);
          this.onNotice({ msg: 'resources applied', source: name, detail: describeResources(resources) });
        }
      } catch (err) {
        // Deleted between readdir and readFile: the next event reloads.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        const message = (err as Error).message;
        if (this.fileProblems.get(name) !== message) {
          this.fileProblems.set(name, message);
          this.report({ source: name, message });
        }
      }
    }
    this.bus.commit(this.folderChanges());
    this.tellConflicts();
  }

  /**
   * Resources each valid but overlapping, so that one is ignored (a
   * ServiceProfile over an HTTPRoute, two routes splitting one Service). They
   * do not stop the folder applying; the user is told, by file.
   */
  conflicts(): StoreProblem[] {
    const overlaps = resourceConflicts(this.state, this.cfg.clusterDomain ?? 'cluster.local').map((c) => ({
      source: this.fileDeclaring(c.ignored[0]) ?? this.cfg.resourceDir,
      message: c.message,
    }));
    return [...redeclared(this.files), ...overlaps];
  }

  private tellConflicts(): void {
    const now = this.conflicts();
    for (const c of now) {
      if (!this.toldConflicts.has(c.message))
        this.onNotice({ msg: 'resources conflict', source: c.source, detail: c.message });
    }
    this.toldConflicts = new Set(now.map((c) => c.message));
  }

  /** The file that declares `Kind ns/name`, as conflicts name resources. */
  private fileDeclaring(resource: string | undefined): string | undefined {
    for (const [file, resources] of this.files) {
      if (resources.some((r) => `${r.kind} ${r.meta.namespace}/${r.meta.name}` === resource)) return file;
    }
    return undefined;
  }

  /** Each YAML file read, in path order, with the resources it declares (a broken file: its last good content). */
  filesRead(): { file: string; resources: readonly Resource[] }[] {
    return [...this.files.keys()].sort().map((file) => ({ file, resources: this.files.get(file) ?? [] }));
  }

  /** Whether `text`, an empty file that had resources, should keep them a little longer (EMPTY_GRACE_MS). */
  private stillBeingWritten(name: string, text: string): boolean {
    if (text.trim() !== '' || !this.files.get(name)?.length) {
      this.emptySince.delete(name);
      return false;
    }
    const since = getOrCreate(this.emptySince, name, () => performance.now());
    if (performance.now() - since >= EMPTY_GRACE_MS) {
      this.emptySince.delete(name);
      return false;
    }
    // No further event comes if the file stays empty: look again once the grace is over.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), EMPTY_GRACE_MS - (performance.now() - since));
    return true;
  }

  /** One batch: every kind's file-declared content, plus registrations re-derived against the new Services. */
  private folderChanges(): Change[] {
    const desired = new Map<ResourceKind, Map<string, Resource>>();
    // An object declared in several files is taken from the one whose path sorts last, whatever order
    // the files were added in: so a copied-in file that redeclares a Service (an example that annotates
    // it) overrides the original and, once removed, gives it back.
    for (const name of [...this.files.keys()].sort()) {
      for (const r of this.files.get(name) ?? []) {
        getOrCreate(desired, r.kind, () => new Map()).set(keyOf(r.meta), r);
      }
    }
    const services = desired.get('Service') ?? new Map<string, Resource>();
    for (const [key, ip] of this.cfg.localServiceIPs ?? []) {
      const declared = services.get(key);
      // A clusterIP the file declares is the user's, and wins.
      if (declared?.kind === 'Service' && declared.clusterIPs.length === 0)
        services.set(key, { ...declared, clusterIPs: [ip] });
    }
    const lookup = (ns: string, name: string) => services.get(`${ns}/${name}`) as Service | undefined;
    for (const w of this.workloads.values()) {
      for (const change of registrationChanges(this.cfg, w, lookup, true)) {
        getOrCreate(desired, change.kind, () => new Map()).set(change.key, change.resource as Resource);
      }
    }
    const changes: Change[] = [];
    for (const kind of RESOURCE_KINDS) changes.push(...this.state.diff(kind, desired.get(kind) ?? new Map()));
    return changes;
  }

  private report(problem: StoreProblem): void {
    this.onProblem(problem);
  }
}

function logProblem(problem: StoreProblem): void {
  console.error(JSON.stringify({ level: 'warn', msg: 'resource input rejected; last good state kept', ...problem }));
}
