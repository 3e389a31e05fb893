import { SortableTable } from '../components/sortable-table.ts';
import { apiPath, getJson } from '../lib/api.ts';
import { h, show } from '../lib/dom.ts';
import { emptyNotice, errorNotice } from '../lib/notice.ts';
import { poll } from '../lib/poll.ts';
import type { Route } from '../lib/route.ts';
import type { FolderRead } from '../lib/types.ts';

// The watched folder as the control plane reads it: every resource with the
// file that declares it, and every file it refuses, with the line where the
// YAML parser says so. Editing a file shows here within a refresh.

type Row = FolderRead['files'][number]['resources'][number] & { file: string };

export function resourcesPage(root: HTMLElement, _route: Route, signal: AbortSignal): void {
  const status = h('p', { class: 'status', 'aria-live': 'polite' }, 'Reading the resource folder…');
  const problems = h('div');
  const table = new SortableTable<Row>(
    'Resources the control plane has loaded',
    [
      { label: 'Kind', sortValue: (r) => r.kind, cell: (r) => r.kind },
      { label: 'Namespace', sortValue: (r) => r.namespace, cell: (r) => r.namespace },
      { label: 'Name', sortValue: (r) => r.name, cell: (r) => r.name },
      { label: 'File', sortValue: (r) => r.file, cell: (r) => h('span', { class: 'mono' }, r.file) },
    ],
    (r) => `${r.kind}/${r.namespace}/${r.name} ${r.file}`,
  );
  root.append(h('h1', {}, 'Resources'), status, problems, table.element);
  poll(
    signal,
    async () => {
      try {
        const read = await getJson<FolderRead>(apiPath('resources'), signal);
        const rows = read.files.flatMap((f) => f.resources.map((r) => ({ ...r, file: f.file })));
        table.update(rows);
        show(
          problems,
          read.problems.length === 0
            ? ''
            : h(
                'div',
                { class: 'notice error', role: 'alert' },
                h(
                  'strong',
                  {},
                  `${read.problems.length} file(s) refused; the control plane keeps their last good content:`,
                ),
                h(
                  'ul',
                  {},
                  read.problems.map((p) => h('li', { class: 'mono' }, `${p.source}: ${p.message}`)),
                ),
              ),
          rows.length === 0 ? emptyNotice('The folder declares no resources.') : '',
        );
        show(
          status,
          `${rows.length} resources in ${read.files.length} files of ${read.dir}; read ${new Date().toLocaleTimeString()}.`,
        );
      } catch (err) {
        if (!signal.aborted) show(problems, errorNotice(err, 'Cannot read the resource folder'));
      }
    },
    5000,
  );
}
