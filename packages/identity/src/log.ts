// Log lines in logfmt (`time=… level=… msg="…" key=value`), the shape
// Linkerd's controllers print, one line per event.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

function quote(value: string): string {
  return /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
}

export function formatLogLine(level: LogLevel, msg: string, fields: LogFields = {}, now = new Date()): string {
  const parts = [`time=${now.toISOString()}`, `level=${level}`, `msg=${JSON.stringify(msg)}`];
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) parts.push(`${key}=${quote(String(value))}`);
  }
  return parts.join(' ');
}

/** Writes logfmt lines to a stream (stderr by default). */
export function streamLogger(stream: NodeJS.WritableStream = process.stderr, component = 'identity'): Logger {
  return {
    log: (level, msg, fields) => {
      stream.write(`${formatLogLine(level, msg, { component, ...fields })}\n`);
    },
  };
}

export const silentLogger: Logger = { log: () => {} };
