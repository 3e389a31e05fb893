import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { dirname, join } from 'node:path';
import type { TapEvent, TapMatch } from '@weft/api/tap';
import { CliError, CliErrorCode } from '../errors.ts';
import type { Inventory } from './client.ts';
import { grpcStatusName } from './grpc-status.ts';
import type { ResourceRef } from './resource.ts';
import { findState } from './state-file.ts';
import type { MeshInfo, Workload } from './workload.ts';

// The CLI side of tap: an mTLS connection to a proxy's tap port with the
// CLI's own certificate, POST /tap with a match, then one JSON event per line
// (see packages/proxy/src/tap/server.ts).

/** One tap event as the proxy sends it. */

export interface TapCredentials {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/**
 * The CLI's certificate: WEFT_TAP_CERT_FILE / WEFT_TAP_KEY_FILE, else
 * `.weft/cli.crt` and `.weft/cli.key` next to the viz state file (`weft dev`
 * issues them from the local CA). Trust anchors: WEFT_TAP_CA_FILE, else the
 * mesh's trustAnchorsFile from the viz inventory.
 */
export function tapCredentials(
  env: Readonly<Record<string, string | undefined>>,
  mesh: MeshInfo,
  cwd = process.cwd(),
): TapCredentials {
  const stateDir = (() => {
    try {
      const found = findState(cwd);
      return found ? dirname(found.path) : undefined;
    } catch {
      return undefined;
    }
  })();
  const certFile = env.WEFT_TAP_CERT_FILE ?? (stateDir && join(stateDir, 'cli.crt'));
  const keyFile = env.WEFT_TAP_KEY_FILE ?? (stateDir && join(stateDir, 'cli.key'));
  const caFile = env.WEFT_TAP_CA_FILE ?? mesh.trustAnchorsFile;
  const read = (what: string, file: string | undefined) => {
    if (!file)
      throw new CliError(
        CliErrorCode.Tap,
        `no ${what} for tap: set WEFT_TAP_${what === 'trust anchors' ? 'CA' : what.toUpperCase()}_FILE or run \`weft dev\``,
      );
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new CliError(CliErrorCode.Tap, `cannot read the tap ${what} ${file}: ${(err as Error).message}`);
    }
  };
  return { cert: read('cert', certFile), key: read('key', keyFile), ca: read('trust anchors', caFile) };
}

export interface TapOptions {
  readonly match: TapMatch;
  readonly maxRps: number;
  readonly signal: AbortSignal;
  onEvent(event: TapEvent): void;
}

/** Watches one proxy until the signal aborts or the proxy ends the stream. */
export function watchTap(
  workload: Workload & { tapAddr: string },
  creds: TapCredentials,
  opts: TapOptions,
): Promise<void> {
  const i = workload.tapAddr.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: workload.tapAddr.slice(0, i).replace(/^\[|\]$/g, ''),
        port: Number(workload.tapAddr.slice(i + 1)),
        method: 'POST',
        path: '/tap',
        // The proxy answers only to its own identity, which its certificate must name.
        servername: workload.identity,
        ca: creds.ca,
        cert: creds.cert,
        key: creds.key,
        minVersion: 'TLSv1.3',
        agent: false,
        headers: { 'content-type': 'application/json' },
        signal: opts.signal,
      },
      (res: IncomingMessage) => {
        res.setEncoding('utf8');
        if (res.statusCode !== 200) {
          let body = '';
          res.on('data', (c: string) => {
            body += c;
          });
          res.on('end', () => {
            let message = body.trim();
            try {
              message = JSON.parse(body).error ?? message;
            } catch {}
            reject(new CliError(CliErrorCode.Tap, `${workload.pod}: tap refused (${res.statusCode}): ${message}`));
          });
          return;
        }
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl = buf.indexOf('\n');
          while (nl >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line) opts.onEvent(JSON.parse(line) as TapEvent);
            nl = buf.indexOf('\n');
          }
        });
        res.on('end', () => resolve());
        res.on('error', () => resolve());
      },
    );
    req.on('error', (err) => {
      if (opts.signal.aborted) return resolve();
      reject(new CliError(CliErrorCode.Tap, `${workload.pod}: cannot tap ${workload.tapAddr}: ${err.message}`));
    });
    req.end(JSON.stringify({ match: opts.match, maxRps: opts.maxRps }));
  });
}

/** One event in Linkerd's tap text format. */
export function formatTapEvent(e: TapEvent): string {
  const head = `${e.type} id=${e.id} proxy=${e.proxy} src=${e.src} dst=${e.dst} tls=${e.tls ? 'true' : 'no_identity'}`;
  if (e.type === 'req') return `${head} :method=${e.method} :authority=${e.authority} :path=${e.path}`;
  if (e.type === 'rsp') return `${head} :status=${e.status} latency=${e.sinceRequestInitUs}µs`;
  const outcome =
    e.resetCode !== undefined
      ? ` reset-error=${e.resetCode}`
      : e.grpcStatus !== undefined
        ? ` grpc-status=${grpcStatusName(e.grpcStatus)}`
        : '';
  return `${head}${outcome} duration=${e.sinceResponseInitUs}µs response-length=${e.responseBytes}B`;
}

/** The proxies of a deployment or pod that can be tapped, by their tap address; a clear error when there are none. */
export function tapTargets(
  inventory: Inventory,
  resource: ResourceRef,
  namespace: string,
): (Workload & { readonly tapAddr: string })[] {
  const named = inventory.workloads.filter(
    (w) =>
      w.namespace === namespace && (resource.kind === 'pod' ? w.pod === resource.name : w.deployment === resource.name),
  );
  if (named.length === 0) {
    throw new CliError(CliErrorCode.NotFound, `no meshed ${resource.kind} ${namespace}/${resource.name}`);
  }
  const tappable = named.flatMap((w) => (typeof w.tapAddr === 'string' ? [{ ...w, tapAddr: w.tapAddr }] : []));
  if (tappable.length === 0) {
    throw new CliError(
      CliErrorCode.Tap,
      `the proxies of ${resource.kind}/${resource.name} have no tap address registered (tap not enabled)`,
    );
  }
  return tappable;
}
