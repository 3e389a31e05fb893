const COLOURS = [36, 35, 32, 33, 34, 31] as const;

/** Paints text with an ANSI colour unless colour is off (NO_COLOR, or not a terminal). */
export type Paint = (text: string, index: number) => string;

export function painter(useColour: boolean): Paint {
  if (!useColour) return (text) => text;
  return (text, index) => `\u001b[${COLOURS[index % COLOURS.length]}m${text}\u001b[0m`;
}

/**
 * Splits a byte stream into lines and writes each as "[name] line", keeping a
 * partial last line until its newline arrives (or the stream ends).
 */
export class LinePrefixer {
  readonly #prefix: string;
  readonly #write: (text: string) => void;
  #pending = '';

  constructor(prefix: string, write: (text: string) => void) {
    this.#prefix = prefix;
    this.#write = write;
  }

  push(chunk: Buffer | string): void {
    const lines = (this.#pending + chunk.toString()).split('\n');
    this.#pending = lines.pop() ?? '';
    if (lines.length > 0) this.#write(lines.map((line) => `${this.#prefix} ${line}\n`).join(''));
  }

  end(): void {
    if (this.#pending !== '') this.#write(`${this.#prefix} ${this.#pending}\n`);
    this.#pending = '';
  }
}
