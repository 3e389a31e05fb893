import { setTimeout as sleep } from 'node:timers/promises';
import type { VoteBotConfig } from '../config/services.ts';
import { tracedGet } from './http-get.ts';

/** The share of ticks that vote for the doughnut outright, as the original bot does. */
export const DOUGHNUT_SHARE = 0.15;

interface ListedEmoji {
  shortcode: string;
}

/** 15 % :doughnut:, otherwise a uniform pick from the list (which includes the doughnut too). */
export function pickChoice(list: readonly ListedEmoji[], random: () => number): string | undefined {
  if (random() < DOUGHNUT_SHARE) return ':doughnut:';
  return list[Math.floor(random() * list.length)]?.shortcode;
}

/**
 * The bot's loop: wait 1/REQUEST_RATE s, GET /api/list, GET /api/vote for
 * the pick. Like the original it ignores HTTP statuses (doughnut 500s are
 * silent) and logs only transport errors. Resolves when TTL has passed or
 * `signal` aborts.
 */
export async function runBot(
  config: VoteBotConfig,
  signal: AbortSignal,
  random: () => number = Math.random,
  log: (line: string) => void = console.log,
): Promise<void> {
  const deadline = config.ttlSeconds > 0 ? Date.now() + config.ttlSeconds * 1000 : Number.POSITIVE_INFINITY;
  const interval = 1000 / config.requestRate;
  while (!signal.aborted && Date.now() < deadline) {
    await sleep(interval, undefined, { signal }).catch(() => undefined);
    if (signal.aborted || Date.now() >= deadline) break;
    let list: ListedEmoji[];
    try {
      const response = await tracedGet(config.webHost, '/api/list', 'GET /api/list', config.hostOverride);
      list = JSON.parse(response.body) as ListedEmoji[];
      if (!Array.isArray(list)) throw new Error(`/api/list answered ${response.status} with no list`);
    } catch (error) {
      log(`vote-bot: ${(error as Error).message}`);
      continue;
    }
    const choice = pickChoice(list, random);
    if (choice === undefined) continue;
    try {
      await tracedGet(
        config.webHost,
        `/api/vote?choice=${encodeURIComponent(choice)}`,
        'GET /api/vote',
        config.hostOverride,
      );
    } catch (error) {
      log(`vote-bot: ${(error as Error).message}`);
    }
  }
}
