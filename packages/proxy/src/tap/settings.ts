import { type EnvReader, type HostPort, parseHostPort } from '../settings/parse.ts';

export interface TapSettings {
  /** Tap listens only when an identity may use it (and the proxy has its own identity for mTLS). */
  readonly authorizedIdentity: string | undefined;
  readonly listen: HostPort;
}

export function readTapSettings(env: EnvReader): TapSettings {
  return {
    authorizedIdentity: env('WEFT_PROXY_TAP_AUTHORIZED_IDENTITY') || undefined,
    listen: parseHostPort('WEFT_PROXY_TAP_LISTEN_ADDR', env('WEFT_PROXY_TAP_LISTEN_ADDR') ?? '0.0.0.0:4190'),
  };
}
