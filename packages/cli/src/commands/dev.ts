import { parseArgs } from 'node:util';
import type { Command, CommandIo } from '../command.ts';
import { emojivotoSpecs } from '../dev/emojivoto.ts';
import { freePort, freePorts } from '../dev/free-port.ts';
import { painter } from '../dev/log-prefix.ts';
import { Supervisor } from '../dev/supervisor.ts';
import { CliError, CliErrorCode, formatCliError } from '../errors.ts';

const USAGE = `Run emojivoto locally: emoji, voting, web and the vote-bot as child processes.

Ports are chosen free; web takes 8080 when it is free, like the original.
Ctrl-C (or SIGTERM) stops every process started. If one of them exits on its
own, the others are stopped and weft dev exits 1, naming it.

Usage:
  weft dev [flags]

Flags:
      --web-port PORT        port for web (default 8080 if free; 0 picks any free port)
      --no-bot               do not start the vote-bot
      --ready-timeout SECS   how long each process may take to become ready (default 30)
`;

const DEFAULT_WEB_PORT = 8080;

interface DevFlags {
  readonly webPort: number | undefined;
  readonly withBot: boolean;
  readonly readyTimeoutMs: number;
}

function parseFlags(args: string[]): DevFlags | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      'web-port': { type: 'string' },
      'no-bot': { type: 'boolean', default: false },
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
  return { webPort, withBot: !values['no-bot'], readyTimeoutMs: timeout * 1000 };
}

async function chooseWebPort(requested: number | undefined): Promise<number> {
  if (requested === undefined) return freePort(DEFAULT_WEB_PORT);
  if (requested === 0) return freePort();
  const port = await freePort(requested);
  if (port !== requested) throw new CliError(CliErrorCode.Usage, `port ${requested} is already in use`);
  return port;
}

/** Resolves with the signal that asks us to stop. */
function stopSignal(): { received: Promise<NodeJS.Signals>; dispose(): void } {
  let handler: (signal: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((resolve) => {
    handler = resolve;
  });
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    received,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

async function run(args: string[], io: CommandIo): Promise<number> {
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
  const write = (text: string) => io.stdout.write(text);
  const useColour = io.env.NO_COLOR === undefined && (io.stdout as { isTTY?: boolean }).isTTY === true;
  const supervisor = new Supervisor({
    write,
    paint: painter(useColour),
    readyTimeoutMs: flags.readyTimeoutMs,
    stopGraceMs: 5000,
  });
  const signal = stopSignal();
  try {
    const web = await chooseWebPort(flags.webPort);
    if (flags.webPort === undefined && web !== DEFAULT_WEB_PORT) {
      write(`[dev] port ${DEFAULT_WEB_PORT} is in use; web gets port ${web}\n`);
    }
    const [emojiGrpc, emojiProm, votingGrpc, votingProm] = (await freePorts(5)).filter((p) => p !== web);
    const ports = {
      web,
      emojiGrpc: emojiGrpc as number,
      emojiProm: emojiProm as number,
      votingGrpc: votingGrpc as number,
      votingProm: votingProm as number,
    };
    const starting = supervisor.start(emojivotoSpecs(ports, io.env, { withBot: flags.withBot }));
    const first = await Promise.race([
      starting.then(() => 'started' as const),
      signal.received,
      supervisor.unexpectedExit.then(() => 'died' as const),
    ]);
    if (first !== 'started') {
      await starting.catch(() => undefined);
      if (first === 'died') throw new CliError(CliErrorCode.Dev, 'a process exited while emojivoto was starting');
      write(`[dev] ${first} received, stopping\n`);
      return 0;
    }
    write(
      `[dev] emojivoto is up: open http://localhost:${web}\n` +
        `[dev] metrics: emoji http://localhost:${ports.emojiProm}/metrics, voting http://localhost:${ports.votingProm}/metrics\n` +
        '[dev] press Ctrl-C to stop\n',
    );
    const outcome = await Promise.race([signal.received, supervisor.unexpectedExit]);
    if (typeof outcome === 'string') {
      write(`[dev] ${outcome} received, stopping every process\n`);
      return 0;
    }
    const how = outcome.signal ? `killed by ${outcome.signal}` : `exit code ${outcome.code}`;
    io.stderr.write(`[dev] ${outcome.name} exited unexpectedly (${how}); stopping the others\n`);
    return 1;
  } catch (error) {
    io.stderr.write(formatCliError(error));
    return 1;
  } finally {
    await supervisor.stop();
    signal.dispose();
  }
}

const dev: Command = { summary: 'Run emojivoto locally, one process per service', run };
export default dev;
