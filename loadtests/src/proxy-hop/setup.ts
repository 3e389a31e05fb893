import { type Started, startNode } from '../lib/processes.ts';
import { makeCa, makeLeaf } from './certs.ts';
import { fillCompileCache, type PairSetup } from './weft-pair.ts';

// What every arm shares: a CA and two workload certificates, the backend,
// and a filled compile cache for the Weft proxies.

const SERVER_ID = 'bench-server.bench.serviceaccount.identity.weft-system.cluster.local';
const CLIENT_ID = 'bench-client.bench.serviceaccount.identity.weft-system.cluster.local';

async function startBackend(): Promise<Started> {
  return startNode(new URL('./backend.ts', import.meta.url).pathname, [], {}, /backend listening on port (\d+)/);
}

/** Certificates, backend and compile cache for pairs in `dir`; the backend is the caller's to stop. */
export async function prepare(root: string, dir: string): Promise<{ setup: PairSetup; backend: Started }> {
  const ca = makeCa(dir);
  const server = makeLeaf(dir, 'server', SERVER_ID);
  const client = makeLeaf(dir, 'client', CLIENT_ID);
  const backend = await startBackend();
  const setup = { root, dir, ca, server, client, backendPort: Number(backend.captured) };
  fillCompileCache(setup);
  return { setup, backend };
}
