import { type KubeConfig, Watch } from '@kubernetes/client-node';
import { cpError, ErrorCode, isControlPlaneError } from '../../errors.ts';
import { parseResource } from '../../resources/parse.ts';
import { keyOf, type Resource } from '../../resources/types.ts';
import type { StoreProblem } from '../store.ts';
import type { KindPath } from './api-paths.ts';
import { listAll } from './list.ts';

export interface ReflectorSink {
  /** The whole collection after a (re)list, to apply as one batch. Keys in `keep` failed to parse: leave them as they are. */
  replace(desired: Map<string, Resource>, keep: Set<string>): void;
  upsert(resource: Resource): void;
  remove(key: string): void;
  problem(problem: StoreProblem): void;
  /** The source is healthy again; with `prefix`, so is every source under it. */
  resolved(source: string, prefix?: boolean): void;
}

export interface ReflectorOptions {
  /** First retry delay after a failure; doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

type RawObject = { metadata?: { name?: string; namespace?: string; resourceVersion?: string }; code?: number };

/**
 * Keeps one kind in sync: list, then watch from the list's resourceVersion.
 * A dropped watch resumes from the last version seen (bookmarks included);
 * 410 Gone, as an HTTP status or an ERROR event, means that version is too
 * old, so it relists and swaps the whole kind in one batch.
 */
export class Reflector {
  private readonly kc: KubeConfig;
  private readonly target: KindPath;
  private readonly sink: ReflectorSink;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private resourceVersion = '';
  private stopped = false;
  private abort?: AbortController;
  private wake?: () => void;
  private listedOnce!: () => void;
  readonly listed = new Promise<void>((resolve) => {
    this.listedOnce = resolve;
  });
  /** Counts for /metrics and tests: relists and watch (re)connections. */
  readonly stats = { lists: 0, watches: 0, events: 0 };

  constructor(kc: KubeConfig, target: KindPath, sink: ReflectorSink, options: ReflectorOptions = {}) {
    this.kc = kc;
    this.target = target;
    this.sink = sink;
    this.retryMs = options.retryMs ?? 500;
    this.maxRetryMs = options.maxRetryMs ?? 30_000;
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.wake?.();
  }

  private async run(): Promise<void> {
    let delay = this.retryMs;
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist();
        const progressed = await this.watchOnce();
        if (progressed) delay = this.retryMs;
        // A clean close with progress reconnects at once; anything else backs off.
        if (progressed) continue;
      } catch (err) {
        const message = isControlPlaneError(err) ? err.message : String((err as Error)?.message ?? err);
        this.sink.problem({ source: this.target.path, message });
      }
      await this.sleep(delay);
      delay = Math.min(delay * 2, this.maxRetryMs);
    }
  }

  private async relist(): Promise<void> {
    this.stats.lists++;
    let listed: Awaited<ReturnType<typeof listAll>>;
    try {
      listed = await listAll(this.kc, this.target.path);
    } catch (err) {
      // 404: the CRD is not installed. Serve the kind as empty rather than never becoming ready.
      if (!isControlPlaneError(err) || err.context.status !== 404) throw err;
      this.sink.replace(new Map(), new Set());
      this.listedOnce();
      throw cpError(ErrorCode.KubernetesApi, `${this.target.path} not found; is its CRD installed?`, { status: 404 });
    }
    const { items, resourceVersion } = listed;
    this.sink.resolved(this.target.path, true);
    const desired = new Map<string, Resource>();
    const keep = new Set<string>();
    for (const raw of items) {
      const resource = this.parse(raw);
      if (resource) desired.set(keyOf(resource.meta), resource);
      else keep.add(rawKey(raw as RawObject));
    }
    this.sink.replace(desired, keep);
    this.resourceVersion = resourceVersion;
    this.listedOnce();
  }

  /** Resolves true when the watch delivered anything, false when it failed straight away. */
  private watchOnce(): Promise<boolean> {
    return new Promise((resolve) => {
      let progressed = false;
      let gone = false;
      this.stats.watches++;
      const onEvent = (type: string, obj: RawObject) => {
        this.stats.events++;
        if (type === 'ERROR') {
          if (obj?.code === 410) gone = true;
          return;
        }
        // An event without an object we can name cannot change anything we hold.
        if (type !== 'BOOKMARK' && typeof obj?.metadata?.name !== 'string') return;
        if (!progressed) this.sink.resolved(this.target.path);
        const rv = obj?.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        progressed = true;
        if (type === 'BOOKMARK') return;
        if (type === 'DELETED') {
          this.sink.remove(rawKey(obj));
          this.sink.resolved(`${this.target.path} ${rawKey(obj)}`);
        } else if (type === 'ADDED' || type === 'MODIFIED') {
          const resource = this.parse(obj);
          if (resource) {
            this.sink.upsert(resource);
            this.sink.resolved(`${this.target.path} ${rawKey(obj)}`);
          }
        }
      };
      const done = (err: unknown) => {
        const status = (err as { statusCode?: number } | null)?.statusCode;
        if (gone || status === 410) {
          // Our version is older than the server keeps: the next round relists.
          this.resourceVersion = '';
          resolve(true);
          return;
        }
        // The client gives up on a watch that stays silent for 30 s; with no bookmarks
        // from the server that is a quiet collection, not a fault: reconnect at once.
        if ((err as Error | null)?.name === 'TimeoutError') {
          resolve(true);
          return;
        }
        if (err && !this.stopped) {
          const reason = status ? `HTTP ${status}` : String((err as Error).message ?? err);
          this.sink.problem({ source: this.target.path, message: `watch ended: ${reason}` });
        }
        resolve(progressed && !err);
      };
      new Watch(this.kc)
        .watch(
          this.target.path,
          { resourceVersion: this.resourceVersion, allowWatchBookmarks: true },
          (type, obj) => onEvent(type, obj as RawObject),
          done,
        )
        .then((abort) => {
          this.abort = abort;
          if (this.stopped) abort.abort();
        }, done);
    });
  }

  private parse(raw: unknown): Resource | undefined {
    try {
      return parseResource({ apiVersion: this.target.apiVersion, kind: this.target.kind, ...(raw as object) });
    } catch (err) {
      // The API server validated less than we need (e.g. a CRD without a schema): keep the last good copy.
      this.sink.problem({ source: `${this.target.path} ${rawKey(raw as RawObject)}`, message: (err as Error).message });
      return undefined;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

const rawKey = (obj: RawObject) => `${obj?.metadata?.namespace ?? 'default'}/${obj?.metadata?.name ?? ''}`;
