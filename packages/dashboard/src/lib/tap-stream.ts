import { apiPath, request } from './api.ts';
import type { TapEvent } from './types.ts';

// Reads /api/v1/tap (JSON lines, as `weft tap -o json` prints them, each with
// its pod) until `signal` aborts or the server ends the stream.

export type PodTapEvent = TapEvent & { readonly pod: string };

export interface TapFilter {
  readonly namespace: string;
  readonly resource: string;
  readonly authority?: string;
  readonly method?: string;
  readonly path?: string;
}

export async function streamTap(filter: TapFilter, signal: AbortSignal, onEvent: (e: PodTapEvent) => void) {
  const res = await request(apiPath('tap', { ...filter }), signal);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
        if (!line.trim()) continue;
        const parsed = JSON.parse(line) as PodTapEvent | { error: string };
        if ('error' in parsed) throw new Error(parsed.error);
        onEvent(parsed);
      }
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    reader.releaseLock();
  }
}
