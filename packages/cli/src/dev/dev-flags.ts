import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CliError, CliErrorCode } from '../errors.ts';

// `weft dev`'s flags, checked: a bad value is a usage error that names the flag.

export const DEFAULT_WEB_PORT = 8080;
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'off'];

/** What `weft dev` was asked for on its command line. */
export interface DevFlags {
  readonly webPort: number | undefined;
  readonly withBot: boolean;
  readonly withCanary: boolean;
  readonly resourcesDir: string | undefined;
  readonly mesh: boolean;
  readonly pods: boolean;
  readonly proxyLogLevel: string;
  readonly readyTimeoutMs: number;
  readonly otlp: string | undefined;
}

export function parseDevFlags(args: string[]): DevFlags | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      'web-port': { type: 'string' },
      'no-bot': { type: 'boolean', default: false },
      canary: { type: 'boolean', default: false },
      resources: { type: 'string' },
      'no-mesh': { type: 'boolean', default: false },
      pods: { type: 'boolean', default: false },
      'proxy-log-level': { type: 'string', default: 'warn' },
      'ready-timeout': { type: 'string', default: '30' },
      otlp: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const webPort = values['web-port'] === undefined ? undefined : Number(values['web-port']);
  if (webPort !== undefined && !(Number.isInteger(webPort) && webPort >= 0 && webPort <= 65_535)) {
    throw new CliError(CliErrorCode.Usage, `--web-port must be a port number, not "${values['web-port']}"`);
  }
  const timeout = Number(values['ready-timeout']);
  if (!(timeout > 0)) {
    throw new CliError(CliErrorCode.Usage, `--ready-timeout must be a positive number of seconds`);
  }
  if (values.pods && values['no-mesh']) {
    throw new CliError(CliErrorCode.Usage, '--pods runs the mesh in pods; it does not go with --no-mesh');
  }
  const level = values['proxy-log-level'];
  if (!LOG_LEVELS.includes(level)) {
    throw new CliError(CliErrorCode.Usage, `--proxy-log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    webPort,
    withBot: !values['no-bot'],
    withCanary: values.canary,
    resourcesDir: values.resources === undefined ? undefined : resolve(values.resources),
    mesh: !values['no-mesh'],
    pods: values.pods,
    proxyLogLevel: level,
    readyTimeoutMs: timeout * 1000,
    otlp: values.otlp,
  };
}
