// Where the page is: the part of the address after #, as `/tap?namespace=x`.
// Hash addresses keep every page on the one document the viz server serves.

export interface Route {
  /** Path segments, e.g. ['workload', 'emojivoto', 'web']. */
  readonly parts: readonly string[];
  readonly params: URLSearchParams;
}

export function currentRoute(): Route {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
}

export function href(parts: readonly string[], params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const qs = q.toString();
  return `#/${parts.map(encodeURIComponent).join('/')}${qs ? `?${qs}` : ''}`;
}
