import { type TapRequest, tapRequestEntry } from '../components/tap-entry.ts';
import { h, show } from '../lib/dom.ts';
import { errorNotice } from '../lib/notice.ts';
import { href, type Route } from '../lib/route.ts';
import { type PodTapEvent, streamTap, type TapFilter } from '../lib/tap-stream.ts';

// `weft tap` in the browser: the same filters, a live list of requests (one
// line each, newest first) that opens to everything tap reported about it,
// and a pause that ends the stream.

const MAX_SHOWN = 300;

export function tapPage(root: HTMLElement, route: Route, signal: AbortSignal): void {
  const p = route.params;
  const field = (name: string, label: string, value: string, placeholder = '') =>
    h('label', {}, label, h('input', { name, value, placeholder, autocomplete: 'off' }));
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Tap filters' },
    field('namespace', 'Namespace', p.get('namespace') ?? 'emojivoto'),
    field('resource', 'Resource', p.get('resource') ?? 'deploy/web', 'deploy/NAME or po/NAME'),
    field('authority', 'To (authority)', p.get('authority') ?? '', 'voting-svc:8080'),
    field('method', 'Method', p.get('method') ?? '', 'POST'),
    field('path', 'Path prefix', p.get('path') ?? '', '/emojivoto.v1'),
    h('button', { type: 'submit', class: 'action' }, 'Start'),
  );
  const pause = h('button', { type: 'button', class: 'action', 'aria-pressed': 'false' }, 'Pause');
  const status = h('p', { class: 'status', 'aria-live': 'polite' }, 'Choose a workload and start.');
  const problem = h('div');
  const list = h('div', { class: 'tap-list', 'aria-label': 'Tapped requests' });
  root.append(h('h1', {}, 'Tap'), form, h('p', {}, pause), status, problem, list);

  const requests = new Map<string, TapRequest>();
  let stream: AbortController | undefined;
  const stop = () => {
    stream?.abort();
    stream = undefined;
  };
  signal.addEventListener('abort', stop);

  let traced = '';
  const onEvent = (e: PodTapEvent) => {
    const key = `${e.pod} ${e.proxy} ${e.id}`;
    let entry = requests.get(key);
    if (!entry) {
      entry = tapRequestEntry(e, traced);
      requests.set(key, entry);
      list.prepend(entry.element);
      if (requests.size > MAX_SHOWN) {
        const [oldest] = requests.keys();
        if (oldest) {
          requests.get(oldest)?.element.remove();
          requests.delete(oldest);
        }
      }
    }
    entry.add(e);
  };

  const start = (filter: TapFilter) => {
    stop();
    const mine = new AbortController();
    stream = mine;
    // Traces name the app: a deployment's name, or a pod's up to its generated suffix.
    const [kind = '', name = ''] = filter.resource.split('/');
    traced = kind.startsWith('po') ? name.replace(/-[^-]+$/, '') : name;
    pause.setAttribute('aria-pressed', 'false');
    pause.textContent = 'Pause';
    show(problem);
    show(status, `Tapping ${filter.resource} in ${filter.namespace}…`);
    streamTap(filter, mine.signal, onEvent)
      .then(() => {
        if (!mine.signal.aborted) show(status, 'The proxies ended the tap.');
      })
      .catch((err) => {
        if (!mine.signal.aborted) show(problem, errorNotice(err, `Cannot tap ${filter.resource}`));
      });
  };

  const filterOf = (): TapFilter => {
    const data = new FormData(form);
    const get = (k: string) => String(data.get(k) ?? '').trim() || undefined;
    return {
      namespace: get('namespace') ?? 'default',
      resource: get('resource') ?? '',
      authority: get('authority'),
      method: get('method'),
      path: get('path'),
    };
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const filter = filterOf();
    // The address keeps the filters, so a tap can be linked and reloaded.
    history.replaceState(null, '', href(['tap'], { ...filter }));
    start(filter);
  });
  pause.addEventListener('click', () => {
    if (stream) {
      stop();
      pause.setAttribute('aria-pressed', 'true');
      pause.textContent = 'Resume';
      show(status, `Paused; ${requests.size} requests shown.`);
    } else start(filterOf());
  });
  if (p.get('resource')) start(filterOf());
}
