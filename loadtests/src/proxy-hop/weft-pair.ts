import { type ChildProcess, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNode, stopAll } from '../lib/processes.ts';
import type { Leaf } from './certs.ts';
import type { PairPids } from './measure.ts';

// A Weft proxy pair as the bench runs it: `node packages/proxy/src/main.ts`
// twice, certificates from files, the outbound side finding the inbound one
// through a stand-in destination server, one local upstream port in front.

export const AUTHORITY = 'bench-svc.bench.svc.cluster.local:80';

/** The proxy's V8 settings as its image and `weft dev` start it (ADR 0006). */
export const PROXY_NODE_OPTIONS = '--max-semi-space-size=8';

export interface PairSetup {
  readonly root: string;
  readonly dir: string;
  readonly ca: string;
  readonly server: Leaf;
  readonly client: Leaf;
  readonly backendPort: number;
}

export interface WeftPair {
  /** The outbound side's upstream port for AUTHORITY. */
  readonly port: number;
  readonly pids: PairPids;
  stop(): Promise<void>;
}

const main = (setup: PairSetup) => join(setup.root, 'packages/proxy/src/main.ts');
const compileCache = (setup: PairSetup) => join(setup.dir, 'compile-cache');

/**
 * As a deployment should run it (docs/proxy.md): the compile cache spares each start the
 * TypeScript stripper's memory. This fills it: loads every module, then stops on a bad setting.
 */
export function fillCompileCache(setup: PairSetup): void {
  spawnSync(process.execPath, [main(setup)], {
    env: { NODE_COMPILE_CACHE: compileCache(setup), WEFT_PROXY_CONNECT_TIMEOUT: 'warm-up' },
    stdio: 'ignore',
  });
}

/** Starts a pair; `env` is added to both proxies' and wins (NODE_OPTIONS, WEFT_PROXY_* settings). */
export async function startWeftPair(setup: PairSetup, env: Record<string, string> = {}): Promise<WeftPair> {
  const children: ChildProcess[] = [];
  const proxyEnv = (leaf: Leaf) => ({
    NODE_OPTIONS: PROXY_NODE_OPTIONS,
    NODE_COMPILE_CACHE: compileCache(setup),
    WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
    WEFT_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
    WEFT_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
    WEFT_PROXY_IDENTITY_LOCAL_NAME: leaf.identity,
    WEFT_PROXY_IDENTITY_TRUST_ANCHORS: readFileSync(setup.ca, 'utf8'),
    WEFT_PROXY_IDENTITY_CERT_FILE: leaf.cert,
    WEFT_PROXY_IDENTITY_KEY_FILE: leaf.key,
    ...env,
  });
  try {
    const inbound = await startNode(
      main(setup),
      [],
      { ...proxyEnv(setup.server), WEFT_PROXY_INBOUND_FORWARD_ADDR: `127.0.0.1:${setup.backendPort}` },
      /"inbound":(\d+)/,
    );
    children.push(inbound.child);
    const destination = await startNode(
      join(setup.root, 'packages/proxy/bench/destination.ts'),
      [],
      {
        WEFT_BENCH_AUTHORITY: AUTHORITY,
        WEFT_BENCH_ENDPOINTS: `127.0.0.1:${inbound.captured}=${setup.server.identity}`,
      },
      /destination listening on port (\d+)/,
    );
    children.push(destination.child);
    const outbound = await startNode(
      main(setup),
      [],
      {
        ...proxyEnv(setup.client),
        WEFT_PROXY_DESTINATION_ADDR: `127.0.0.1:${destination.captured}`,
        // The benchmark's stand-in destination serves plaintext; discovery is not what is measured.
        WEFT_PROXY_CONTROL_PLANE_PLAINTEXT: 'true',
        WEFT_PROXY_OUTBOUND_UPSTREAMS: `${AUTHORITY}=127.0.0.1:0`,
      },
      /"upstreams":\{"[^"]+":(\d+)\}/,
    );
    children.push(outbound.child);
    return {
      port: Number(outbound.captured),
      pids: [outbound.child.pid as number, inbound.child.pid as number],
      stop: () => stopAll(children),
    };
  } catch (error) {
    await stopAll(children);
    throw error;
  }
}
