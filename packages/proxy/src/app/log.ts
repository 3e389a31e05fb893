// A tiny leveled logger writing one JSON line per event to stderr. The data
// path never logs per request at info level, so this is off the hot path.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 100 };

let threshold = RANK.info;
let current: LogLevel = 'info';

export function isLogLevel(text: string): text is LogLevel {
  return Object.hasOwn(RANK, text);
}

export function setLogLevel(level: LogLevel): void {
  current = level;
  threshold = RANK[level];
}

export function logLevel(): LogLevel {
  return current;
}

function emit(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
  if (RANK[level] < threshold) return;
  process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields })}\n`);
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => emit('debug', msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => emit('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => emit('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => emit('error', msg, fields),
};
