import { isIP } from 'node:net';
import { configInvalid, configMissing } from '../errors.ts';
import { parseGoDuration } from './duration.ts';

/** Reads one environment variable; injectable so parsing is testable. */
export type EnvReader = (name: string) => string | undefined;

export const processEnv: EnvReader = (name) => process.env[name];

function present(env: EnvReader, name: string): string | undefined {
  const value = env(name)?.trim();
  return value === '' ? undefined : value;
}

export function required(env: EnvReader, name: string): string {
  const value = present(env, name);
  if (value === undefined) throw configMissing(name);
  return value;
}

/** A TCP port; 0 asks the kernel for a free one (the service prints the port it got). */
export function port(env: EnvReader, name: string): number {
  const text = required(env, name);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 65_535) throw configInvalid(name, text, 'a port number (0-65535)');
  return value;
}

export function optionalPort(env: EnvReader, name: string): number | undefined {
  return present(env, name) === undefined ? undefined : port(env, name);
}

/**
 * LISTEN_HOST: the address the service's servers bind. Every interface by
 * default, as in a container; a local runner that puts a proxy in front sets
 * loopback so the proxy cannot be bypassed from the network.
 */
export function listenHost(env: EnvReader): string {
  const text = present(env, 'LISTEN_HOST');
  if (text === undefined) return '0.0.0.0';
  if (isIP(text) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(text)) {
    throw configInvalid('LISTEN_HOST', text, 'an IP address or host name');
  }
  return text;
}

/** A `host:port` address, the form the original takes for EMOJISVC_HOST, WEB_HOST and friends. */
export function hostPort(env: EnvReader, name: string): string {
  const text = required(env, name);
  if (!/^[^\s/:]+:\d+$|^\[[0-9a-fA-F:.]+\]:\d+$/.test(text)) throw configInvalid(name, text, 'a host:port address');
  return text;
}

export function optional(env: EnvReader, name: string): string | undefined {
  return present(env, name);
}

export function durationMs(env: EnvReader, name: string): number {
  const text = present(env, name);
  if (text === undefined) return 0;
  const ms = parseGoDuration(text);
  if (ms === undefined || ms < 0) throw configInvalid(name, text, 'a duration such as 500ms or 1.5s');
  return ms;
}

export function probability(env: EnvReader, name: string): number | undefined {
  const text = present(env, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw configInvalid(name, text, 'a number between 0 and 1');
  return value;
}

/** A non-negative integer with a default and a lower bound, like the bot's REQUEST_RATE and TTL. */
export function integer(env: EnvReader, name: string, fallback: number, min: number): number {
  const text = present(env, name);
  if (text === undefined) return fallback;
  if (!/^-?\d+$/.test(text)) throw configInvalid(name, text, 'an integer');
  return Math.max(min, Number(text));
}
