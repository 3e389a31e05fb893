import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, CliErrorCode } from '../errors.ts';

/** One YAML stream to inject, with the name used in messages. */
export interface InputSource {
  readonly name: string;
  readonly text: string;
}

async function readStream(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

async function fetchText(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new CliError(CliErrorCode.ReadInput, `cannot fetch ${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new CliError(CliErrorCode.ReadInput, `cannot fetch ${url}: HTTP ${res.status}`);
  return res.text();
}

/**
 * Files, directories (their .yaml/.yml/.json files, sorted), http(s) URLs or
 * `-` for stdin, like `linkerd inject https://run.linkerd.io/emojivoto.yml`.
 */
export async function readInputs(
  paths: readonly string[],
  stdin: AsyncIterable<Buffer | string>,
): Promise<InputSource[]> {
  const sources: InputSource[] = [];
  for (const path of paths) {
    if (path === '-') {
      sources.push({ name: 'stdin', text: await readStream(stdin) });
      continue;
    }
    if (/^https?:\/\//.test(path)) {
      sources.push({ name: path, text: await fetchText(path) });
      continue;
    }
    try {
      if (statSync(path).isDirectory()) {
        const files = readdirSync(path)
          .filter((f) => /\.(ya?ml|json)$/.test(f))
          .sort();
        for (const f of files) sources.push({ name: join(path, f), text: readFileSync(join(path, f), 'utf8') });
      } else {
        sources.push({ name: path, text: readFileSync(path, 'utf8') });
      }
    } catch (err) {
      throw new CliError(CliErrorCode.ReadInput, `cannot read ${path}: ${(err as Error).message}`);
    }
  }
  return sources;
}
