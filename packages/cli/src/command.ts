/** What every `weft` subcommand module exports. */
export interface Command {
  /** One line for `weft help`. */
  readonly summary: string;
  /** Runs with the arguments after the command's name; resolves to the exit code. */
  run(args: string[], io: CommandIo): Promise<number>;
}

/** The streams a command writes to, injectable so tests can read them. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}
