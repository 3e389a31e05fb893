import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

type Obj = { metadata: { name: string; namespace?: string; resourceVersion?: string }; [k: string]: unknown };
type Event = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: Obj; rv: number };

interface Collection {
  items: Map<string, Obj>;
  /** Events after `compactedAt`; older versions answer 410 Gone, as etcd compaction does. */
  events: Event[];
  compactedAt: number;
  watchers: Set<{ res: ServerResponse; bookmarks: boolean }>;
}

/**
 * A small Kubernetes API server speaking the real wire protocol over HTTP:
 * paged lists with a resourceVersion, and `?watch=1` streams of newline-
 * delimited JSON events (ADDED/MODIFIED/DELETED/BOOKMARK/ERROR). Tests drive
 * it to produce bookmarks, 410 Gone and dropped connections.
 */
export class FakeApiServer {
  private readonly server: Server;
  private readonly collections = new Map<string, Collection>();
  private readonly sockets = new Set<Socket>();
  private rv = 100;
  /** Every request, for assertions: path, query and the bearer token seen. */
  readonly requests: { path: string; query: URLSearchParams; auth?: string }[] = [];
  /** The next watch request on this path is answered with HTTP 410 instead of a stream. */
  rejectNextWatchOn = '';
  pageSize = 2;
  /** While set, list requests wait for it (an API server slow to answer at startup). */
  listsHeld?: Promise<void>;
  /** Requests to these paths are answered with this HTTP status instead (an API server in trouble). */
  readonly failing = new Map<string, number>();

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    const port = (this.server.address() as AddressInfo).port;
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'weft', token: 'test-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'weft' }],
      currentContext: 'fake',
    });
    return kc;
  }

  private collection(path: string): Collection {
    let c = this.collections.get(path);
    if (!c) {
      c = { items: new Map(), events: [], compactedAt: 0, watchers: new Set() };
      this.collections.set(path, c);
    }
    return c;
  }

  /** Serves `path` as an (empty) collection, as once its CRD is installed. */
  serve(path: string): void {
    this.collection(path);
  }

  /** Creates or updates an object and tells open watches. */
  apply(path: string, obj: Obj): void {
    const c = this.collection(path);
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const type = c.items.has(key) ? 'MODIFIED' : 'ADDED';
    this.record(c, type, obj, key);
  }

  remove(path: string, namespace: string, name: string): void {
    const c = this.collection(path);
    const key = `${namespace}/${name}`;
    const obj = c.items.get(key);
    if (obj) this.record(c, 'DELETED', obj, key);
  }

  /** Changes state without telling anyone, as if the events were lost: only a relist can see them. */
  applySilently(path: string, obj: Obj): void {
    const c = this.collection(path);
    const stamped = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    c.items.set(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, stamped);
  }

  removeSilently(path: string, namespace: string, name: string): void {
    this.collection(path).items.delete(`${namespace}/${name}`);
  }

  /** Forgets history: watches from older versions now get 410 Gone. */
  compact(path: string): void {
    const c = this.collection(path);
    c.events = [];
    c.compactedAt = this.rv;
  }

  /** Sends a BOOKMARK with the current version to watches that asked for them. */
  bookmark(path: string): void {
    const c = this.collection(path);
    for (const w of c.watchers) {
      if (w.bookmarks)
        this.send(w.res, { type: 'BOOKMARK', object: { metadata: { resourceVersion: String(this.rv) } } });
    }
  }

  /** Sends an ERROR 410 event on open watches and ends them, as the API server does when a watch expires. */
  expireWatches(path: string): void {
    const c = this.collection(path);
    for (const w of c.watchers) {
      this.send(w.res, {
        type: 'ERROR',
        object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' },
      });
      w.res.end();
    }
    c.watchers.clear();
  }

  /** Writes arbitrary text on every open watch of `path` (for malformed events). */
  sendRaw(path: string, text: string): void {
    for (const w of this.collection(path).watchers) w.res.write(text);
  }

  /** Cuts every open connection mid-stream. */
  dropConnections(): void {
    for (const c of this.collections.values()) c.watchers.clear();
    for (const s of this.sockets) s.destroy();
  }

  /** The newest resourceVersion across all collections, as one etcd revision. */
  get version(): string {
    return String(this.rv);
  }

  watchCount(path: string): number {
    return this.collection(path).watchers.size;
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(c: Collection, type: Event['type'], obj: Obj, key: string): void {
    const rv = ++this.rv;
    const stamped = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    if (type === 'DELETED') c.items.delete(key);
    else c.items.set(key, stamped);
    const event = { type, object: stamped, rv };
    c.events.push(event);
    for (const w of c.watchers) this.send(w.res, { type, object: stamped });
  }

  private send(res: ServerResponse, event: unknown): void {
    res.write(`${JSON.stringify(event)}\n`);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ path: url.pathname, query: url.searchParams, auth: req.headers.authorization });
    const failure = this.failing.get(url.pathname);
    if (failure) {
      res.writeHead(failure, { 'content-type': 'application/json' }).end(`{"kind":"Status","code":${failure}}`);
      return;
    }
    const c = this.collections.get(url.pathname);
    if (!c) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"kind":"Status","code":404}');
      return;
    }
    const watch = url.searchParams.get('watch');
    if (watch === '1' || watch === 'true') this.watch(c, url, res);
    else if (this.listsHeld) void this.listsHeld.then(() => this.list(c, url, res));
    else this.list(c, url, res);
  }

  private list(c: Collection, url: URL, res: ServerResponse): void {
    const all = [...c.items.values()];
    const limit = Number(url.searchParams.get('limit') ?? 0) || all.length;
    const page = Math.min(limit, this.pageSize);
    const start = Number(url.searchParams.get('continue') ?? 0);
    const items = all.slice(start, start + page);
    const next = start + page < all.length ? String(start + page) : undefined;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'List',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(this.rv), continue: next },
        items,
      }),
    );
  }

  private watch(c: Collection, url: URL, res: ServerResponse): void {
    const from = Number(url.searchParams.get('resourceVersion') ?? 0);
    if (this.rejectNextWatchOn === url.pathname) {
      this.rejectNextWatchOn = '';
      res.writeHead(410, { 'content-type': 'application/json' }).end('{"kind":"Status","code":410,"reason":"Gone"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    if (from < c.compactedAt) {
      this.send(res, { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
      res.end();
      return;
    }
    const watcher = { res, bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true' };
    c.watchers.add(watcher);
    res.on('close', () => c.watchers.delete(watcher));
    for (const e of c.events) if (e.rv > from) this.send(res, { type: e.type, object: e.object });
  }
}
