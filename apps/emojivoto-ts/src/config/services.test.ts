import { describe, expect, it } from 'vitest';
import type { EmojivotoError } from '../errors.ts';
import type { EnvReader } from './env.ts';
import { readVoteBotConfig, readVotingConfig, readWebConfig } from './services.ts';

const envOf =
  (vars: Record<string, string>): EnvReader =>
  (name) =>
    vars[name];

describe('service configuration', () => {
  it('keeps v11 doughnut semantics when FAILURE_RATE is unset and reads Go durations', () => {
    const config = readVotingConfig(envOf({ GRPC_PORT: '8080', ARTIFICIAL_DELAY: '600ms' }));
    expect(config.failureRate).toBeUndefined();
    expect(config.artificialDelayMs).toBe(600);
    expect(config.promPort).toBeUndefined();
    expect(config.tracing.serviceName).toBe('voting');
  });

  it('listens on every interface unless LISTEN_HOST names one', () => {
    const web = { WEB_PORT: '8080', EMOJISVC_HOST: 'e:1', VOTINGSVC_HOST: 'v:1' };
    expect(readWebConfig(envOf(web)).listenHost).toBe('0.0.0.0');
    expect(readWebConfig(envOf({ ...web, LISTEN_HOST: '127.0.0.1' })).listenHost).toBe('127.0.0.1');
    expect(readVotingConfig(envOf({ GRPC_PORT: '1', LISTEN_HOST: '::1' })).listenHost).toBe('::1');
    expect(() => readVotingConfig(envOf({ GRPC_PORT: '1', LISTEN_HOST: '127.0.0.1:80' }))).toThrow(/LISTEN_HOST/);
  });

  it('names the variable when a required one is missing', () => {
    expect(() => readVotingConfig(envOf({}))).toThrow(/GRPC_PORT is required/);
    try {
      readWebConfig(envOf({ WEB_PORT: '8080', EMOJISVC_HOST: 'emoji-svc:8080' }));
      expect.unreachable();
    } catch (error) {
      expect((error as EmojivotoError).code).toBe('EMOJIVOTO_CONFIG_MISSING');
      expect((error as EmojivotoError).message).toContain('VOTINGSVC_HOST');
    }
  });

  it('rejects values that cannot be right', () => {
    expect(() => readVotingConfig(envOf({ GRPC_PORT: '80a' }))).toThrow(/GRPC_PORT/);
    expect(() => readVotingConfig(envOf({ GRPC_PORT: '1', FAILURE_RATE: '1.5' }))).toThrow(/between 0 and 1/);
    expect(() => readVotingConfig(envOf({ GRPC_PORT: '1', ARTIFICIAL_DELAY: '500' }))).toThrow(/duration/);
    expect(() => readWebConfig(envOf({ WEB_PORT: '1', EMOJISVC_HOST: 'http://emoji', VOTINGSVC_HOST: 'v:1' }))).toThrow(
      /host:port/,
    );
  });

  it('gives the bot the original defaults and adds a scheme to a bare OTLP endpoint', () => {
    const bot = readVoteBotConfig(
      envOf({ WEB_HOST: 'web-svc:80', REQUEST_RATE: '0', OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4317' }),
    );
    expect(bot).toMatchObject({ requestRate: 1, ttlSeconds: 0, hostOverride: undefined });
    expect(bot.tracing).toEqual({ serviceName: 'vote-bot', otlpEndpoint: 'http://jaeger:4317', exportDelayMs: 5000 });
  });
});
