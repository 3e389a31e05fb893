import type { AddressInfo } from 'node:net';
import { assetsDir } from '@weft/dashboard';
import { buildApi } from './api.ts';
import { FileSdWriter } from './file-sd.ts';
import { otlpForwarder } from './otlp/forwarder.ts';
import { startOtlpGrpc } from './otlp/grpc-receiver.ts';
import { TraceStore } from './otlp/trace-store.ts';
import { Recorder, type RecorderOptions } from './recorder.ts';
import { removeState, writeState } from './state-file.ts';
import { checkWorkload, type LocalProcess, type MeshInfo, type Workload } from './workload.ts';

// The local mesh's observability server: a scrape recorder over every
// registered proxy, an OTLP trace receiver, the HTTP API the CLI reads, and
// the dashboard's pages at its root.
// `weft dev` embeds it; everything it holds is bounded in memory.

export interface VizOptions {
  /** host:port of the HTTP API (and OTLP/HTTP); default 127.0.0.1:0. */
  readonly listen?: string;
  /** host:port of the OTLP/gRPC receiver; default 127.0.0.1:0 (emojivoto's OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly otlpGrpcListen?: string;
  /** host:port of an OTLP/gRPC collector (Jaeger) that gets every export too, the apps' and the proxies'. */
  readonly forwardOtlpTo?: string;
  readonly recorder?: RecorderOptions;
  /** Traces kept; default 1000. */
  readonly maxTraces?: number;
  /** Where the rest of the mesh answers, for `weft check` and `weft diagnostics`. */
  readonly mesh?: MeshInfo;
  /** The processes `weft dev` supervises, as they are now (`weft check` lists their restarts). */
  readonly processes?: () => readonly LocalProcess[];
  /**
   * Directory to write .weft/viz.json (where the API is) and
   * .weft/prometheus-targets.json (file_sd for deploy/local/prometheus.yml)
   * into; neither is written when absent.
   */
  readonly stateDir?: string;
  /** The environment the pages' checks and tap run with (the tap certificate's files); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The built dashboard to serve at /; default packages/dashboard/dist. */
  readonly dashboardDir?: string;
}

export interface VizServer {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:41234 */
  readonly address: string;
  /** host:port of the OTLP/gRPC receiver. */
  readonly otlpGrpcAddress: string;
  /** The state file written, if any. */
  readonly stateFile: string | undefined;
  /** The Prometheus file_sd targets file kept up to date, if any. */
  readonly fileSdPath: string | undefined;
  registerWorkload(w: Workload): void;
  unregister(namespace: string, pod: string): boolean;
  setMesh(mesh: MeshInfo): void;
  /** Scrapes every target now; for callers that must not wait for the next tick. */
  scrapeNow(): Promise<void>;
  close(): Promise<void>;
}

export async function startViz(opts: VizOptions = {}): Promise<VizServer> {
  const recorder = new Recorder(opts.recorder);
  const traces = new TraceStore(opts.maxTraces);
  let mesh: MeshInfo = opts.mesh ?? {};
  const forwarder = opts.forwardOtlpTo ? otlpForwarder(opts.forwardOtlpTo) : undefined;
  const otlp = await startOtlpGrpc({
    listen: opts.otlpGrpcListen ?? '127.0.0.1:0',
    forwarder,
    onSpans: (spans) => traces.add(spans),
  });
  const api = buildApi({
    recorder,
    traces,
    forwarder,
    mesh: () => mesh,
    processes: opts.processes ?? (() => []),
    otlpGrpcAddr: () => otlp.address,
    env: opts.env ?? process.env,
    stateDir: opts.stateDir,
    assetsDir: opts.dashboardDir ?? assetsDir,
  });
  const [host = '127.0.0.1', port = '0'] = splitHostPort(opts.listen ?? '127.0.0.1:0');
  try {
    await api.listen({ host, port: Number(port) });
  } catch (err) {
    await otlp.close();
    forwarder?.close();
    throw err;
  }
  const bound = api.server.address() as AddressInfo;
  const address = `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  recorder.start();
  const stateFile = opts.stateDir
    ? await writeState(opts.stateDir, { apiAddr: address, otlpGrpcAddr: otlp.address, pid: process.pid })
    : undefined;
  const fileSd = opts.stateDir ? new FileSdWriter(opts.stateDir) : undefined;
  const targetsChanged = () => fileSd?.write(recorder.targets().map((t) => t.workload));
  await targetsChanged();
  return {
    address,
    otlpGrpcAddress: otlp.address,
    stateFile,
    fileSdPath: fileSd?.path,
    registerWorkload(w) {
      checkWorkload(w);
      recorder.add(w);
      void targetsChanged();
    },
    unregister(namespace, pod) {
      const removed = recorder.remove(namespace, pod);
      if (removed) void targetsChanged();
      return removed;
    },
    setMesh(m) {
      mesh = m;
    },
    scrapeNow: () => recorder.scrapeAll(),
    async close() {
      recorder.stop();
      if (stateFile) await removeState(stateFile);
      // Prometheus stops scraping ports that are about to be gone.
      await fileSd?.write([]);
      await Promise.all([api.close(), otlp.close()]);
      forwarder?.close();
    },
  };
}

function splitHostPort(addr: string): [string, string] {
  const i = addr.lastIndexOf(':');
  return [addr.slice(0, i).replace(/^\[|\]$/g, ''), addr.slice(i + 1)];
}
