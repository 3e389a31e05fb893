import { apiPath, getJson } from '../lib/api.ts';
import { h, show } from '../lib/dom.ts';
import { errorNotice } from '../lib/notice.ts';
import { poll } from '../lib/poll.ts';
import type { Route } from '../lib/route.ts';
import type { CheckResponse } from '../lib/types.ts';

// `weft check` as a page: every category and check, with the hint and the
// details of those that failed (a broken resource file names file:line), and
// the processes `weft dev` supervises with their restarts.

const MARK = { success: '√', warning: '‼', error: '×' } as const;

export function healthPage(root: HTMLElement, _route: Route, signal: AbortSignal): void {
  const status = h('p', { class: 'status', 'aria-live': 'polite' }, 'Running the checks…');
  const body = h('div');
  root.append(h('h1', {}, 'Health'), status, body);
  poll(
    signal,
    async () => {
      try {
        const check = await getJson<CheckResponse>(apiPath('check'), signal);
        show(body, processes(check), check.categories.flatMap(category));
        show(
          status,
          `${check.success ? 'Every check passed' : 'Some checks failed'}; checked at ${new Date().toLocaleTimeString()}.`,
        );
      } catch (err) {
        if (!signal.aborted) show(body, errorNotice(err, 'Cannot run the checks'));
      }
    },
    5000,
  );
}

function category(c: CheckResponse['categories'][number]): HTMLElement[] {
  return [
    h('h2', {}, c.categoryName),
    h(
      'ul',
      { class: 'checks' },
      c.checks.map((k) =>
        h(
          'li',
          { class: k.result === 'success' ? 'ok' : k.result },
          h('span', { class: 'mark', 'aria-label': k.result }, MARK[k.result as keyof typeof MARK] ?? '?'),
          k.description,
          k.error ? h('div', { class: 'detail' }, k.error.split('; ').join('\n')) : '',
          k.hint && k.result !== 'success' ? h('div', { class: 'detail' }, `hint: ${k.hint}`) : '',
        ),
      ),
    ),
  ];
}

function processes(check: CheckResponse): HTMLElement | string {
  if (check.processes.length === 0) return '';
  return h(
    'table',
    { class: 'data' },
    h('caption', {}, "weft dev's processes"),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Name', 'PID', 'Ready', 'Restarts', 'Last exit'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      check.processes.map((p) =>
        h(
          'tr',
          {},
          h('td', {}, p.name),
          h('td', { class: 'num' }, p.pid === undefined ? '-' : String(p.pid)),
          h('td', {}, p.ready ? '√' : '×'),
          h('td', { class: 'num' }, String(p.restarts)),
          h('td', {}, p.lastExit ?? '-'),
        ),
      ),
    ),
  );
}
