import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';
import { EmojivotoError } from '../errors.ts';

const UI_DIR = new URL('./ui/', import.meta.url);

export interface UiAssets {
  /** The JavaScript served at /js. */
  script(): Promise<string>;
  readonly css: string;
}

/**
 * The UI is written in TypeScript; browsers cannot strip types, so it is
 * stripped once at startup with Node's own stripper (no bundler). When
 * INDEX_BUNDLE is set, that file is served instead and, like the original,
 * read on every request so it can be swapped while web runs.
 */
export function loadUiAssets(indexBundle: string | undefined): UiAssets {
  const css = readFileSync(new URL('styles.css', UI_DIR), 'utf8');
  if (indexBundle !== undefined) {
    return {
      css,
      script: () =>
        readFile(indexBundle, 'utf8').catch((error: NodeJS.ErrnoException) => {
          throw new EmojivotoError('EMOJIVOTO_BUNDLE_UNREADABLE', `INDEX_BUNDLE ${indexBundle}: ${error.code}`, {
            path: indexBundle,
          });
        }),
    };
  }
  const source = readFileSync(new URL('app.ts', UI_DIR), 'utf8');
  const stripped = quietly(() => stripTypeScriptTypes(source, { mode: 'strip' }));
  return { css, script: async () => stripped };
}

/**
 * Runs `work` without Node's one-time ExperimentalWarning for
 * stripTypeScriptTypes, which would otherwise greet every user of web with a
 * stack-trace hint about an API we chose knowingly. Other warnings pass.
 */
function quietly<T>(work: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes('stripTypeScriptTypes')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return work();
  } finally {
    process.emitWarning = emitWarning;
  }
}
