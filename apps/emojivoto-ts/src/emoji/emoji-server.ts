import type { Server, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import type { FindByShortcodeRequest, FindByShortcodeResponse, ListAllEmojiResponse } from '../grpc/messages.ts';
import { EmojiService } from '../grpc/protos.ts';
import { EMOJIS, findByShortcode } from './catalogue.ts';

/** Registers EmojiService: the 99 emojis in order, and lookups by shortcode. */
export function registerEmojiService(server: Server): void {
  server.addService(EmojiService.service, {
    ListAll(_call: ServerUnaryCall<object, ListAllEmojiResponse>, callback: sendUnaryData<ListAllEmojiResponse>) {
      callback(null, { list: EMOJIS.map((e) => ({ unicode: e.unicode, shortcode: e.shortcode })) });
    },
    FindByShortcode(
      call: ServerUnaryCall<FindByShortcodeRequest, FindByShortcodeResponse>,
      callback: sendUnaryData<FindByShortcodeResponse>,
    ) {
      // An unknown shortcode is OK with Emoji unset, as in the original: the
      // caller decides whether that is an error.
      const emoji = findByShortcode(call.request.Shortcode ?? '');
      callback(null, emoji ? { Emoji: { unicode: emoji.unicode, shortcode: emoji.shortcode } } : {});
    },
  });
}
