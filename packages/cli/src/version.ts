import { readFileSync } from 'node:fs';

/** The CLI's version: the one in its package.json, the version of the whole checkout. */
export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
