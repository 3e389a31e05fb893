import { fileURLToPath } from 'node:url';

/** The four emojivoto processes, by the name the original gives each service, and their entry files. */
export const EMOJIVOTO_ENTRIES = {
  emoji: fileURLToPath(new URL('./emoji/main.ts', import.meta.url)),
  voting: fileURLToPath(new URL('./voting/main.ts', import.meta.url)),
  web: fileURLToPath(new URL('./web/main.ts', import.meta.url)),
  'vote-bot': fileURLToPath(new URL('./vote-bot/main.ts', import.meta.url)),
} as const;

export const PROTO_FILES = {
  emoji: fileURLToPath(new URL('../proto/Emoji.proto', import.meta.url)),
  voting: fileURLToPath(new URL('../proto/Voting.proto', import.meta.url)),
} as const;
