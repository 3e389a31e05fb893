import { connect } from 'node:net';
import type { ReadinessCheck } from './process-spec.ts';

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** One probe of a readiness check; `output` is what the process has printed so far. */
export function probe(check: ReadinessCheck, output: string): Promise<boolean> {
  switch (check.kind) {
    case 'tcp':
      return tcpOpen(check.host, check.port);
    case 'http':
      return httpOk(check.url);
    case 'log':
      return Promise.resolve(check.pattern.test(output));
  }
}
