import { h } from '../lib/dom.ts';
import { href } from '../lib/route.ts';
import type { EdgeJsonRow } from '../lib/types.ts';
import { SortableTable } from './sortable-table.ts';

// `weft edges -o wide`: source, destination, mTLS state and both identities.

export function mtlsCell(e: EdgeJsonRow): HTMLElement {
  return e.secured
    ? h('span', { class: 'secure' }, '√ mTLS')
    : h('span', { class: 'insecure' }, `× not mTLS${e.no_tls_reason ? ` (${e.no_tls_reason})` : ''}`);
}

export function edgeTable(caption: string): SortableTable<EdgeJsonRow> {
  const workload = (ns: string, name: string) => h('a', { href: href(['workload', ns, name]) }, `${ns}/${name}`);
  return new SortableTable<EdgeJsonRow>(
    caption,
    [
      { label: 'Source', sortValue: (e) => e.src, cell: (e) => workload(e.src_namespace, e.src) },
      { label: 'Destination', sortValue: (e) => e.dst, cell: (e) => workload(e.dst_namespace, e.dst) },
      { label: 'Secured', sortValue: (e) => String(e.secured), cell: mtlsCell },
      { label: 'Client identity', cell: (e) => h('span', { class: 'mono' }, e.client_id || '-') },
      { label: 'Server identity', cell: (e) => h('span', { class: 'mono' }, e.server_id || '-') },
    ],
    (e) => `${e.src_namespace}/${e.src}>${e.dst_namespace}/${e.dst}`,
  );
}
