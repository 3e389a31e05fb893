import { GRPC_FAILURES, grpcStatusName } from '../../../cli/src/viz/grpc-status.ts';
import { h, show } from '../lib/dom.ts';
import { formatMicros } from '../lib/format.ts';
import { href } from '../lib/route.ts';
import type { PodTapEvent } from '../lib/tap-stream.ts';

// One tapped request: its req, rsp and end events folded into a line that
// opens to every field tap reported (as `weft tap` prints its three lines).

export interface TapRequest {
  readonly element: HTMLDetailsElement;
  add(e: PodTapEvent): void;
}

/** `traced`: the app whose traces the entry links to. */
export function tapRequestEntry(first: PodTapEvent, traced: string): TapRequest {
  const seen: Partial<Record<PodTapEvent['type'], PodTapEvent>> = {};
  const at = new Date();
  const summary = h('summary');
  const body = h('dl');
  const headers = h('dl', { class: 'tap-headers' });
  const traces = h('p');
  const element = h('details', {}, summary, body, headers, traces);
  const render = () => {
    const req = seen.req ?? first;
    const rsp = seen.rsp;
    const end = seen.end;
    const status = end?.status ?? rsp?.status;
    const grpc = end?.grpcStatus;
    const failed =
      (status !== undefined && (status >= 500 || status === 0)) ||
      end?.resetCode !== undefined ||
      (grpc !== undefined && GRPC_FAILURES.has(grpc));
    element.classList.toggle('failed', failed);
    show(
      summary,
      `${at.toLocaleTimeString()} ${req.proxy === 'in' ? 'in ' : 'out'} ${req.method} ${req.authority}${req.path}`,
      status !== undefined ? ` → ${status}` : ' …',
      grpc !== undefined ? ` grpc-status=${grpcStatusName(grpc)}` : '',
      end?.resetCode !== undefined ? ` reset-error=${end.resetCode}` : '',
      end?.sinceRequestInitUs !== undefined ? ` ${formatMicros(end.sinceRequestInitUs)}` : '',
    );
    const rows: [string, string | undefined][] = [
      ['pod', req.pod],
      ['proxy', req.proxy === 'in' ? 'inbound' : 'outbound'],
      ['id', req.id],
      ['src', req.src],
      ['dst', req.dst],
      ['tls', req.tls ? 'true (mTLS)' : 'no_identity'],
      ['client identity', req.clientId],
      ['server identity', req.serverId],
      [':method', req.method],
      [':scheme', req.scheme],
      [':authority', req.authority],
      [':path', req.path],
      [':status', status === undefined ? undefined : String(status)],
      ['grpc-status', grpc === undefined ? undefined : `${grpcStatusName(grpc)} (${grpc})`],
      ['reset-error', end?.resetCode === undefined ? undefined : String(end.resetCode)],
      [
        'response headers after',
        rsp?.sinceRequestInitUs === undefined ? undefined : formatMicros(rsp.sinceRequestInitUs),
      ],
      [
        'response body took',
        end?.sinceResponseInitUs === undefined ? undefined : formatMicros(end.sinceResponseInitUs),
      ],
      ['total', end?.sinceRequestInitUs === undefined ? undefined : formatMicros(end.sinceRequestInitUs)],
      ['response length', end?.responseBytes === undefined ? undefined : `${end.responseBytes} B`],
    ];
    show(
      body,
      rows.flatMap(([k, v]) => (v === undefined || v === '' ? [] : [h('dt', {}, k), h('dd', { class: 'mono' }, v)])),
    );
    const named = Object.entries(req.headers ?? {});
    show(
      headers,
      ...(named.length ? [h('dt', {}, 'request headers'), h('dd')] : []),
      ...named.flatMap(([k, v]) => [h('dt', { class: 'mono' }, k), h('dd', { class: 'mono' }, v)]),
    );
    // A sampled request opens its own trace; any other, the app's recent ones.
    show(
      traces,
      req.traceId
        ? h('a', { href: href(['traces', req.traceId]) }, `This request's trace ${req.traceId} →`)
        : h('a', { href: href(['traces'], { service: traced }) }, `Recent traces of ${traced} →`),
    );
  };
  return {
    element,
    add(e) {
      seen[e.type] = e;
      render();
    },
  };
}
