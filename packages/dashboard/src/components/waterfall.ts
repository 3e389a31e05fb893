import { treeOrder } from '../../../cli/src/output/waterfall.ts';
import { h } from '../lib/dom.ts';
import { formatMicros } from '../lib/format.ts';
import type { SpanRecord } from '../lib/types.ts';

// One trace as `weft trace ID` draws it, in the browser: spans in the CLI's
// tree order, each a bar on a shared time axis; proxy spans greyed, spans
// with an error status red with their message.

const isProxy = (s: SpanRecord) => s.service.includes('proxy');

export function waterfall(spans: readonly SpanRecord[]): HTMLElement {
  const start = Math.min(...spans.map((s) => s.startUs));
  const end = Math.max(...spans.map((s) => s.startUs + s.durationUs));
  const total = Math.max(end - start, 1);
  const rows = treeOrder(spans).map(({ span, depth }) => {
    const left = ((span.startUs - start) / total) * 100;
    const width = Math.max((span.durationUs / total) * 100, 0.3);
    const kind = `${isProxy(span) ? 'proxy' : 'app'}${span.error ? ' error' : ''}`;
    return h(
      'tr',
      { class: span.error ? 'error' : undefined, 'data-span': span.spanId },
      h('td', {}, span.service),
      h(
        'td',
        { style: `padding-left: ${6 + depth * 16}px` },
        h('span', { class: `span-name${span.error ? ' error' : ''}` }, span.name, span.error ? ' ×' : ''),
        span.error && span.statusMessage ? h('span', { class: 'failed' }, ` ${span.statusMessage}`) : '',
      ),
      h('td', { class: 'num' }, formatMicros(span.startUs - start)),
      h('td', { class: 'num' }, formatMicros(span.durationUs)),
      h(
        'td',
        { class: 'bar-cell' },
        h('div', { class: 'track' }, h('div', { class: `bar ${kind}`, style: `left: ${left}%; width: ${width}%` })),
      ),
    );
  });
  return h(
    'table',
    { class: 'waterfall', 'aria-label': 'Trace waterfall' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Service', 'Span', 'Offset', 'Duration', `0 – ${formatMicros(total)}`].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    h('tbody', {}, rows),
  );
}
