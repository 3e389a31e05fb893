import { LATENCY_BUCKETS_MS, type RequestSeries } from './http.ts';
import { joinLabels } from './labels.ts';
import type { TcpSeries } from './tcp.ts';

// Prometheus text (format 0.0.4) for the registry's families, produced as a
// stream of small pieces (a family header, one series) and batched into
// chunks, so the text of a large registry is never held whole in memory.

/** Joins `pieces` into strings of at least `size` characters (the last may be shorter). */
export function* chunked(pieces: Iterable<string>, size: number): Generator<string> {
  let chunk = '';
  for (const piece of pieces) {
    chunk += piece;
    if (chunk.length >= size) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

export const header = (name: string, type: string, help: string) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;

export function* httpFamilies(prefix: string, all: Iterable<RequestSeries>): Generator<string> {
  const series = [...all];
  if (prefix !== '' && series.length === 0) return;
  yield header(`${prefix}request_total`, 'counter', 'Total count of HTTP requests.');
  for (const s of series) yield `${prefix}request_total{${s.labels}} ${s.requests}\n`;
  yield header(`${prefix}response_total`, 'counter', 'Total count of HTTP responses.');
  for (const s of series) {
    for (const r of s.responses()) yield `${prefix}response_total{${r.labels}} ${r.count}\n`;
  }
  const latency = `${prefix}response_latency_ms`;
  yield header(latency, 'histogram', 'Elapsed times between a request and its response stream end.');
  for (const s of series) {
    for (const r of s.responses()) {
      let text = '';
      let cumulative = 0;
      for (let i = 0; i <= LATENCY_BUCKETS_MS.length; i++) {
        cumulative += r.buckets[i] as number;
        const le = i < LATENCY_BUCKETS_MS.length ? String(LATENCY_BUCKETS_MS[i]) : '+Inf';
        text += `${latency}_bucket{${joinLabels(r.labels, `le="${le}"`)}} ${cumulative}\n`;
      }
      yield `${text}${latency}_sum{${r.labels}} ${r.sumMs}\n${latency}_count{${r.labels}} ${r.count}\n`;
    }
  }
}

export function* tcpFamilies(all: ReadonlyMap<string, TcpSeries>): Generator<string> {
  yield header('tcp_open_total', 'counter', 'Total count of opened connections.');
  for (const s of all.values()) yield `tcp_open_total{${s.labels}} ${s.opened}\n`;
  yield header('tcp_open_connections', 'gauge', 'Number of currently-open connections.');
  for (const s of all.values()) yield `tcp_open_connections{${s.labels}} ${s.open.size}\n`;
  yield header('tcp_read_bytes_total', 'counter', 'Total count of bytes read from peers.');
  for (const s of all.values()) yield `tcp_read_bytes_total{${s.labels}} ${s.readBytes()}\n`;
  yield header('tcp_write_bytes_total', 'counter', 'Total count of bytes written to peers.');
  for (const s of all.values()) yield `tcp_write_bytes_total{${s.labels}} ${s.writeBytes()}\n`;
  yield header('tcp_close_total', 'counter', 'Total count of closed connections.');
  for (const s of all.values()) {
    for (const [errno, n] of s.closedByErrno)
      yield `tcp_close_total{${joinLabels(s.labels, `errno="${errno}"`)}} ${n}\n`;
  }
}

export function* overflowFamily(
  bounds: Iterable<{ readonly direction: string; readonly label: string; readonly overflowed: number }>,
): Generator<string> {
  const name = 'proxy_metrics_label_overflow_total';
  yield header(name, 'counter', 'Label values recorded as "overflow" because their label held its maximum of values.');
  for (const b of bounds) yield `${name}{direction="${b.direction}",label="${b.label}"} ${b.overflowed}\n`;
}

export function* detectFailuresFamily(failures: Readonly<Record<string, number>>): Generator<string> {
  const name = 'inbound_detect_failures_total';
  yield header(
    name,
    'counter',
    'Plaintext inbound connections closed because no protocol was detected, on a port not marked opaque.',
  );
  for (const [reason, n] of Object.entries(failures)) yield `${name}{reason="${reason}"} ${n}\n`;
}

export function* processFamilies(started: number): Generator<string> {
  const cpu = process.cpuUsage();
  yield header('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.');
  yield `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}\n`;
  yield header('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.');
  yield `process_resident_memory_bytes ${process.memoryUsage.rss()}\n`;
  yield header('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.');
  yield `process_start_time_seconds ${started}\n`;
  yield header('proxy_build_info', 'gauge', 'Proxy build info.');
  yield `proxy_build_info{version="0.1.0",vendor="weft",node="${process.version}"} 1\n`;
}
