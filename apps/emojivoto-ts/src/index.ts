import { fileURLToPath } from 'node:url';

export type { Emoji } from './emoji/catalogue.ts';
export { EMOJIS } from './emoji/catalogue.ts';

/**
 * The entry file of each emojivoto process, by the name the original gives
 * the service, for tools that start the app from source (benchmarks, runners).
 */
export const EMOJIVOTO_ENTRIES = {
  emoji: fileURLToPath(new URL('./emoji/main.ts', import.meta.url)),
  voting: fileURLToPath(new URL('./voting/main.ts', import.meta.url)),
  web: fileURLToPath(new URL('./web/main.ts', import.meta.url)),
  'vote-bot': fileURLToPath(new URL('./vote-bot/main.ts', import.meta.url)),
} as const;
