#!/usr/bin/env node
import type { CommandIo } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { didYouMean } from './suggest.ts';

const HELP_FLAGS = new Set(['help', '--help', '-h']);

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || HELP_FLAGS.has(name)) {
    // `weft help stat` is `weft stat --help`.
    const topic = args[0];
    if (name === 'help' && topic !== undefined) return main([topic, '--help'], io);
    const rows = await Promise.all(
      Object.entries(COMMANDS).map(async ([n, load]) => `  ${n.padEnd(12)} ${(await load()).default.summary}`),
    );
    io.stdout.write(
      `weft manages the Weft service mesh.\n\nUsage:\n  weft [command]\n\nAvailable Commands:\n${rows.join('\n')}\n\nUse "weft help [command]" for more information about a command.\n`,
    );
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr.write(
      `Error: unknown command "${name}" for "weft"\n${didYouMean(name, Object.keys(COMMANDS))}Run 'weft help' for usage.\n`,
    );
    return 2;
  }
  return (await load()).default.run(args, io);
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
  process.exitCode = code;
}
