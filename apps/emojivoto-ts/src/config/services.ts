import {
  durationMs,
  type EnvReader,
  hostPort,
  integer,
  listenHost,
  optional,
  optionalPort,
  port,
  probability,
  required,
} from './env.ts';

// Each service's configuration, read once at startup from the same environment
// variables as the original emojivoto, so existing manifests work unchanged.

export interface TracingConfig {
  readonly serviceName: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT as an http(s) URL; undefined means spans are not exported. */
  readonly otlpEndpoint: string | undefined;
  /** OTEL_BSP_SCHEDULE_DELAY: how long spans wait in the batch before export (OTel default 5000 ms). */
  readonly exportDelayMs: number;
}

export interface EmojiConfig {
  /** LISTEN_HOST, for the gRPC and metrics servers. */
  readonly listenHost: string;
  readonly grpcPort: number;
  readonly promPort: number | undefined;
  readonly tracing: TracingConfig;
}

export interface VotingConfig extends EmojiConfig {
  /** Probability that VoteDoughnut fails; undefined keeps v11 semantics (it always fails). */
  readonly failureRate: number | undefined;
  /** Slept before every vote, in milliseconds (ARTIFICIAL_DELAY). */
  readonly artificialDelayMs: number;
}

export interface WebConfig {
  /** LISTEN_HOST. */
  readonly listenHost: string;
  readonly webPort: number;
  readonly emojiHost: string;
  readonly votingHost: string;
  /** A JavaScript file served at /js instead of the built-in UI, read on every request. */
  readonly indexBundle: string | undefined;
  readonly messageOfTheDay: string;
  readonly tracing: TracingConfig;
}

export interface VoteBotConfig {
  readonly webHost: string;
  readonly hostOverride: string | undefined;
  /** Iterations per second, at least 1. */
  readonly requestRate: number;
  /** Seconds before the bot exits 0; 0 runs forever. */
  readonly ttlSeconds: number;
  readonly tracing: TracingConfig;
}

function tracing(env: EnvReader, serviceName: string): TracingConfig {
  const raw = optional(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  // Upstream and the Linkerd docs write the endpoint as host:4317 without a
  // scheme; the OTLP exporter wants a URL.
  const otlpEndpoint = raw === undefined || /^https?:\/\//.test(raw) ? raw : `http://${raw}`;
  return {
    serviceName: optional(env, 'OTEL_SERVICE_NAME') ?? serviceName,
    otlpEndpoint,
    exportDelayMs: integer(env, 'OTEL_BSP_SCHEDULE_DELAY', 5000, 0),
  };
}

export function readEmojiConfig(env: EnvReader): EmojiConfig {
  return {
    listenHost: listenHost(env),
    grpcPort: port(env, 'GRPC_PORT'),
    promPort: optionalPort(env, 'PROM_PORT'),
    tracing: tracing(env, 'emoji'),
  };
}

export function readVotingConfig(env: EnvReader): VotingConfig {
  return {
    listenHost: listenHost(env),
    grpcPort: port(env, 'GRPC_PORT'),
    promPort: optionalPort(env, 'PROM_PORT'),
    failureRate: probability(env, 'FAILURE_RATE'),
    artificialDelayMs: durationMs(env, 'ARTIFICIAL_DELAY'),
    tracing: tracing(env, 'voting'),
  };
}

export function readWebConfig(env: EnvReader): WebConfig {
  return {
    listenHost: listenHost(env),
    webPort: port(env, 'WEB_PORT'),
    emojiHost: hostPort(env, 'EMOJISVC_HOST'),
    votingHost: hostPort(env, 'VOTINGSVC_HOST'),
    indexBundle: optional(env, 'INDEX_BUNDLE'),
    messageOfTheDay: optional(env, 'MESSAGE_OF_THE_DAY') ?? '',
    tracing: tracing(env, 'web'),
  };
}

export function readVoteBotConfig(env: EnvReader): VoteBotConfig {
  return {
    webHost: required(env, 'WEB_HOST'),
    hostOverride: optional(env, 'HOST_OVERRIDE'),
    requestRate: integer(env, 'REQUEST_RATE', 1, 1),
    ttlSeconds: integer(env, 'TTL', 0, 0),
    tracing: tracing(env, 'vote-bot'),
  };
}
