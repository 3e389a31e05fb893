import { fileURLToPath } from 'node:url';
import type { ProcessSpec } from './process-spec.ts';

// The app is started from its source, as users run it; the CLI does not
// import it, so the app stays free of the mesh's packages and vice versa.
export const APP_SRC = fileURLToPath(new URL('../../../../apps/emojivoto-ts/src/', import.meta.url));

/** Ports the runner chose for emojivoto, before anything starts. */
export interface EmojivotoPorts {
  readonly web: number;
  readonly emojiGrpc: number;
  readonly emojiProm: number;
  readonly votingGrpc: number;
  readonly votingProm: number;
}

/** Variables from the user's shell each service honours, passed through when set. */
const PASS_THROUGH: Readonly<Record<string, readonly string[]>> = {
  all: ['PATH', 'HOME', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_BSP_SCHEDULE_DELAY'],
  emoji: [],
  voting: ['FAILURE_RATE', 'ARTIFICIAL_DELAY'],
  web: ['MESSAGE_OF_THE_DAY', 'INDEX_BUNDLE'],
  'vote-bot': ['REQUEST_RATE', 'TTL', 'HOST_OVERRIDE'],
};

export function passThrough(
  service: string,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of [...(PASS_THROUGH.all ?? []), ...(PASS_THROUGH[service] ?? [])]) {
    const value = env[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/**
 * An app process. Locally it binds loopback (LISTEN_HOST): on a networked
 * laptop an app on every interface could be called around its sidecar.
 */
export function nodeSpec(
  name: string,
  entry: string,
  env: Record<string, string>,
  ready: ProcessSpec['ready'],
): ProcessSpec {
  return {
    name,
    command: process.execPath,
    args: [`${APP_SRC}${entry}`],
    env: { ...env, LISTEN_HOST: '127.0.0.1' },
    ready,
  };
}

/**
 * The four emojivoto processes, unmeshed, wired to each other on loopback by
 * the same environment variables the Kubernetes manifests set. Order is start
 * order: each waits for the previous one to be ready.
 */
export function emojivotoSpecs(
  ports: EmojivotoPorts,
  env: Readonly<Record<string, string | undefined>>,
  options: { readonly withBot: boolean },
): ProcessSpec[] {
  const loopback = '127.0.0.1';
  const specs = [
    nodeSpec(
      'emoji',
      'emoji/main.ts',
      { ...passThrough('emoji', env), GRPC_PORT: String(ports.emojiGrpc), PROM_PORT: String(ports.emojiProm) },
      { kind: 'tcp', host: loopback, port: ports.emojiGrpc },
    ),
    nodeSpec(
      'voting',
      'voting/main.ts',
      { ...passThrough('voting', env), GRPC_PORT: String(ports.votingGrpc), PROM_PORT: String(ports.votingProm) },
      { kind: 'tcp', host: loopback, port: ports.votingGrpc },
    ),
    nodeSpec(
      'web',
      'web/main.ts',
      {
        ...passThrough('web', env),
        WEB_PORT: String(ports.web),
        EMOJISVC_HOST: `${loopback}:${ports.emojiGrpc}`,
        VOTINGSVC_HOST: `${loopback}:${ports.votingGrpc}`,
      },
      // /api/list answers 200 only once web reaches emoji-svc too.
      { kind: 'http', url: `http://${loopback}:${ports.web}/api/list` },
    ),
  ];
  if (options.withBot) {
    specs.push(
      nodeSpec(
        'vote-bot',
        'vote-bot/main.ts',
        { ...passThrough('vote-bot', env), WEB_HOST: `${loopback}:${ports.web}` },
        { kind: 'log', pattern: /voting on/ },
      ),
    );
  }
  return specs;
}
