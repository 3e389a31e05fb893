import './styles.css';
import { prometheusUrl } from './lib/api.ts';
import { h, show } from './lib/dom.ts';
import { errorNotice } from './lib/notice.ts';
import { currentRoute, href, type Route } from './lib/route.ts';
import { setUpTheme } from './lib/theme.ts';
import { healthPage } from './pages/health.ts';
import { overviewPage } from './pages/overview.ts';
import { resourcesPage } from './pages/resources.ts';
import { tapPage } from './pages/tap.ts';
import { topologyPage } from './pages/topology.ts';
import { tracesPage } from './pages/traces.ts';
import { workloadPage } from './pages/workload.ts';

// The dashboard's shell: navigation, theme, and one page at a time. Leaving a
// page aborts its signal, which stops its refresh and its streams.

export type Page = (root: HTMLElement, route: Route, signal: AbortSignal) => void;

const PAGES: Record<string, { title: string; page: Page; nav: boolean }> = {
  overview: { title: 'Overview', page: overviewPage, nav: true },
  workload: { title: 'Workload', page: workloadPage, nav: false },
  topology: { title: 'Topology', page: topologyPage, nav: true },
  tap: { title: 'Tap', page: tapPage, nav: true },
  traces: { title: 'Traces', page: tracesPage, nav: true },
  resources: { title: 'Resources', page: resourcesPage, nav: true },
  health: { title: 'Health', page: healthPage, nav: true },
};

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
let leaving: AbortController | undefined;

function render(): void {
  leaving?.abort();
  leaving = new AbortController();
  const route = currentRoute();
  const name = route.parts[0] ?? 'overview';
  const entry = PAGES[name];
  show(
    nav,
    Object.entries(PAGES)
      .filter(([, p]) => p.nav)
      .map(([key, p]) =>
        h('a', { class: 'pill', href: href([key]), 'aria-current': key === name ? 'page' : undefined }, p.title),
      ),
  );
  document.title = `${entry?.title ?? 'Not found'} · Weft dashboard`;
  main.replaceChildren();
  if (!entry) {
    main.append(errorNotice(new Error(`there is no page "${name}"`), 'Not found'));
    return;
  }
  try {
    entry.page(main, route, leaving.signal);
  } catch (err) {
    main.append(errorNotice(err, entry.title));
  }
}

const prometheus = prometheusUrl();
show(document.getElementById('source') as HTMLElement, prometheus ? `metrics: ${prometheus}` : 'metrics: viz recorder');
setUpTheme(document.getElementById('theme') as HTMLButtonElement);
addEventListener('hashchange', render);
render();
