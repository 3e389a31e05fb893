import { ApiError } from './api.ts';
import { h } from './dom.ts';

// What a page shows instead of a blank area: an alert that says what went
// wrong and what to do, or a line that says there is nothing yet.

export function errorNotice(err: unknown, what: string): HTMLElement {
  const message = err instanceof Error ? err.message : String(err);
  const hint =
    err instanceof ApiError && err.status === 0
      ? 'Start it again with `npm run dev`; this page retries on its own.'
      : err instanceof ApiError && err.code
        ? `(${err.code})`
        : '';
  return h('div', { class: 'notice error', role: 'alert' }, h('strong', {}, `${what}: `), message, ' ', hint);
}

export function emptyNotice(text: string): HTMLElement {
  return h('p', { class: 'notice empty' }, text);
}
