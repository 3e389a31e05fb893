/** What a benchmark gets from the runner. */
export interface BenchContext {
  /** The repository root, for starting apps from source and writing docs/. */
  readonly root: string;
  readonly log: (line: string) => void;
}

/**
 * One benchmark under src/<name>/. It measures its own baseline in the same
 * run, prints its figures, and writes them with the date and machine to docs/.
 */
export interface Bench {
  readonly name: string;
  readonly description: string;
  run(context: BenchContext): Promise<void>;
}
