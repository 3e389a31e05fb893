// The emojivoto.v1 messages as proto-loader hands them over (keepCase, no
// defaults): proto3 fields at their default value are simply absent.

export interface EmojiMessage {
  unicode?: string;
  shortcode?: string;
}

export interface ListAllEmojiResponse {
  list?: EmojiMessage[];
}

export interface FindByShortcodeRequest {
  Shortcode?: string;
}

export interface FindByShortcodeResponse {
  Emoji?: EmojiMessage | null;
}

export interface VotingResult {
  Shortcode?: string;
  Votes?: number;
}

export interface ResultsResponse {
  results?: VotingResult[];
}
