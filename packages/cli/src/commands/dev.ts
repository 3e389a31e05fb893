import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, CommandIo } from '../command.ts';
import { acquireDevLock, type DevLock } from '../dev/dev-lock.ts';
import { emojivotoSpecs } from '../dev/emojivoto.ts';
import { freePort, freePorts } from '../dev/free-port.ts';
import { startLocalMesh } from '../dev/local-mesh.ts';
import { painter } from '../dev/log-prefix.ts';
import { SIDECAR_GRACE_SECONDS } from '../dev/sidecar.ts';
import { Supervisor } from '../dev/supervisor.ts';
import { CliError, CliErrorCode, failWith, formatCliError } from '../errors.ts';

const USAGE = `Run the local mesh with emojivoto: identity, control plane, viz, and every
emojivoto workload (emoji, voting, web, vote-bot) behind its own sidecar.

web's sidecar answers the browser on port 8080 when it is free, so what the
browser does is seen by the mesh. Ctrl-C (or SIGTERM, SIGHUP) drains the
sidecars and stops every process started; they stop with weft dev even when it
is killed. A process that exits after it was ready is started again, on the
same ports, after 0.5 s doubling up to 10 s; \`weft check\` shows its restarts.
One that fails before it is ready stops weft dev with exit code 1, naming it.
One weft dev runs per directory (.weft/dev/lock).

Usage:
  weft dev [flags]

Flags:
      --web-port PORT          port of the web UI (default 8080 if free; 0 picks any free port)
      --no-bot                 do not start the vote-bot
      --canary                 also run web-v2 (Service web-svc-v2, banner "v2") for the workshop's canary
      --resources DIR          the folder the control plane reads and watches (default deploy/local/resources)
      --no-mesh                emojivoto alone: four processes, no sidecars
      --proxy-log-level LEVEL  the sidecars' log level: debug, info, warn, error, off (default warn)
      --ready-timeout SECS     how long each process may take to become ready (default 30)
`;

const DEFAULT_WEB_PORT = 8080;
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'off'];

interface DevFlags {
  readonly webPort: number | undefined;
  readonly withBot: boolean;
  readonly withCanary: boolean;
  readonly resourcesDir: string | undefined;
  readonly mesh: boolean;
  readonly proxyLogLevel: string;
  readonly readyTimeoutMs: number;
}

function parseFlags(args: string[]): DevFlags | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      'web-port': { type: 'string' },
      'no-bot': { type: 'boolean', default: false },
      canary: { type: 'boolean', default: false },
      resources: { type: 'string' },
      'no-mesh': { type: 'boolean', default: false },
      'proxy-log-level': { type: 'string', default: 'warn' },
      'ready-timeout': { type: 'string', default: '30' },
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
    proxyLogLevel: level,
    readyTimeoutMs: timeout * 1000,
  };
}

async function chooseWebPort(requested: number | undefined): Promise<number> {
  if (requested === undefined) return freePort(DEFAULT_WEB_PORT, '127.0.0.1');
  if (requested === 0) return freePort(0, '127.0.0.1');
  const port = await freePort(requested, '127.0.0.1');
  if (port !== requested) throw new CliError(CliErrorCode.Usage, `port ${requested} is already in use`);
  return port;
}

// SIGHUP: the terminal went away.
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Resolves with the signal that asks us to stop. */
function stopSignal(): { received: Promise<NodeJS.Signals>; dispose(): void } {
  let handler: (signal: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((resolve) => {
    handler = resolve;
  });
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return {
    received,
    dispose: () => {
      for (const signal of STOP_SIGNALS) process.off(signal, handler);
    },
  };
}

/** What a started runtime tells the user, and how it stops. */
interface Started {
  readonly lines: readonly string[];
  stop(): Promise<void>;
}

async function startUnmeshed(supervisor: Supervisor, flags: DevFlags, web: number, io: CommandIo): Promise<Started> {
  const [emojiGrpc, emojiProm, votingGrpc, votingProm] = (await freePorts(5)).filter((p) => p !== web);
  const ports = {
    web,
    emojiGrpc: emojiGrpc as number,
    emojiProm: emojiProm as number,
    votingGrpc: votingGrpc as number,
    votingProm: votingProm as number,
  };
  await supervisor.start(emojivotoSpecs(ports, io.env, { withBot: flags.withBot }));
  return {
    lines: [
      `emojivoto is up: open http://localhost:${web} (no mesh)`,
      `metrics: emoji http://localhost:${ports.emojiProm}/metrics, voting http://localhost:${ports.votingProm}/metrics`,
    ],
    stop: () => supervisor.stop(),
  };
}

async function startMeshed(supervisor: Supervisor, flags: DevFlags, web: number, io: CommandIo): Promise<Started> {
  const mesh = await startLocalMesh(supervisor, {
    stateDir: process.cwd(),
    withBot: flags.withBot,
    withCanary: flags.withCanary,
    resourcesDir: flags.resourcesDir,
    webPort: web,
    proxyLogLevel: flags.proxyLogLevel,
    env: io.env,
    write: (text) => io.stdout.write(text),
  });
  const forwarded = io.env.OTEL_EXPORTER_OTLP_ENDPOINT ? `, forwarded to ${io.env.OTEL_EXPORTER_OTLP_ENDPOINT}` : '';
  return {
    lines: [
      `dashboard: ${mesh.viz.address}/ (the mesh, live; \`weft dashboard\` opens it)`,
      `emojivoto is up: open ${mesh.webUrl} (web's sidecar)`,
      `viz API:  ${mesh.viz.address} (found by weft through ${mesh.viz.stateFile})`,
      `OTLP:     ${mesh.viz.otlpGrpcAddress} (the apps' traces${forwarded})`,
      'try, in another terminal (weft is node packages/cli/src/main.ts):',
      '  weft stat deploy -n emojivoto',
      '  weft edges deploy -n emojivoto',
      '  weft trace',
      '  weft tap deploy/web -n emojivoto',
    ],
    stop: () => mesh.stop(),
  };
}

async function run(args: string[], io: CommandIo): Promise<number> {
  const startedAt = performance.now();
  let flags: DevFlags | 'help';
  try {
    flags = parseFlags(args);
  } catch (error) {
    io.stderr.write(formatCliError(error));
    return 2;
  }
  if (flags === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  let lock: DevLock;
  try {
    lock = acquireDevLock(process.cwd());
  } catch (error) {
    return failWith(error, io);
  }
  const write = (text: string) => io.stdout.write(text);
  const useColour = io.env.NO_COLOR === undefined && (io.stdout as { isTTY?: boolean }).isTTY === true;
  const supervisor = new Supervisor({
    write,
    paint: painter(useColour),
    readyTimeoutMs: flags.readyTimeoutMs,
    // A sidecar drains for its grace period before it exits by itself.
    stopGraceMs: (SIDECAR_GRACE_SECONDS + 3) * 1000,
  });
  const signal = stopSignal();
  let started: Started | undefined;
  try {
    const web = await chooseWebPort(flags.webPort);
    if (flags.webPort === undefined && web !== DEFAULT_WEB_PORT) {
      write(`[dev] port ${DEFAULT_WEB_PORT} is in use; web gets port ${web}\n`);
    }
    const starting = (flags.mesh ? startMeshed : startUnmeshed)(supervisor, flags, web, io);
    const first = await Promise.race([starting.then(() => 'started' as const), signal.received]);
    if (first !== 'started') {
      // Stopping the processes makes the start under way fail, and stops it spawning more.
      await supervisor.stop();
      await starting.then((s) => s.stop()).catch(() => undefined);
      write(`[dev] ${first} received, stopping\n`);
      return 0;
    }
    started = await starting;
    write(`[dev] √ everything ready (${((performance.now() - startedAt) / 1000).toFixed(1)}s)\n`);
    for (const line of started.lines) write(`[dev] ${line}\n`);
    write('[dev] press Ctrl-C to stop\n');
    write(`[dev] ${await signal.received} received, stopping every process\n`);
    return 0;
  } catch (error) {
    io.stderr.write(formatCliError(error));
    return 1;
  } finally {
    await (started ? started.stop() : supervisor.stop());
    signal.dispose();
    lock.release();
  }
}

const dev: Command = { summary: 'Run the local mesh with emojivoto, every workload behind its own sidecar', run };
export default dev;
