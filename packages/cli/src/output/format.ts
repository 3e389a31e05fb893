import { CliError, CliErrorCode } from '../errors.ts';

/** The -o/--output values the viz commands take. */
export type OutputFormat = 'table' | 'wide' | 'json';

export function parseOutput(value: string | undefined): OutputFormat {
  if (value === undefined || value === '' || value === 'table') return 'table';
  if (value === 'wide' || value === 'json') return value;
  throw new CliError(CliErrorCode.Usage, `--output must be one of table, wide, json; got "${value}"`);
}

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** A time window like `30s`, `1m` or `1h30m`, in seconds. */
export function parseWindow(text: string): number {
  const re = /(\d+(?:\.\d+)?)(h|m|s)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_S[m[2] as string] as number);
    end = re.lastIndex;
  }
  if (end !== text.length || total <= 0 || text === '') {
    throw new CliError(CliErrorCode.Usage, `--time-window must be a duration like 30s, 1m or 1h; got "${text}"`);
  }
  if (total > 3600) throw new CliError(CliErrorCode.Usage, '--time-window is at most 1h');
  return total;
}
