import { EMOJIS } from '../emoji/catalogue.ts';

// The original VotingService has one RPC per emoji plus VoteRelaxed, whose
// emoji is not in the list (a quirk kept for wire compatibility).
export const EXTRA_VOTE_SHORTCODES = [':relaxed:'] as const;

/** ":stuck_out_tongue_winking_eye:" → "VoteStuckOutTongueWinkingEye", ":point_up_2:" → "VotePointUp2". */
export function voteRpcName(shortcode: string): string {
  const words = shortcode.replace(/^:|:$/g, '').split('_');
  return `Vote${words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`;
}

/** Every shortcode that has a Vote RPC, keyed by RPC name. */
export const VOTE_RPCS: ReadonlyMap<string, string> = new Map(
  [...EMOJIS.map((e) => e.shortcode), ...EXTRA_VOTE_SHORTCODES].map((shortcode) => [voteRpcName(shortcode), shortcode]),
);
