// The viz API, from the page. Every figure comes from the endpoints the CLI's
// commands use; with ?prometheus=URL in the page's address (as `weft dashboard
// --prometheus URL` opens it) the metrics endpoints read that Prometheus.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;

  constructor(message: string, status: number, code?: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function prometheusUrl(): string | undefined {
  return new URLSearchParams(location.search).get('prometheus') ?? undefined;
}

/** `/api/v1/...?a=b`, without empty parameters, with the page's Prometheus when it has one. */
export function apiPath(path: string, params: Record<string, string | undefined> = {}, metrics = false): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const prometheus = prometheusUrl();
  if (metrics && prometheus) q.set('prometheus', prometheus);
  const qs = q.toString();
  return `/api/v1/${path}${qs ? `?${qs}` : ''}`;
}

export async function request(path: string, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError('The viz API is unreachable: is `weft dev` still running?', 0);
  }
  if (res.ok) return res;
  let body: { error?: string; code?: string } = {};
  try {
    body = await res.json();
  } catch {}
  throw new ApiError(body.error ?? `the viz API answered ${res.status}`, res.status, body.code);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request(path, signal)).json()) as T;
}
