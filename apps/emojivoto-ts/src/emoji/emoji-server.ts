import type { MethodDefinition, Server, ServerUnaryCall, ServiceDefinition, sendUnaryData } from '@grpc/grpc-js';
import type { FindByShortcodeRequest, FindByShortcodeResponse, ListAllEmojiResponse } from '../grpc/messages.ts';
import { EmojiService } from '../grpc/protos.ts';
import { EMOJIS, findByShortcode } from './catalogue.ts';

const LIST_ALL: ListAllEmojiResponse = { list: EMOJIS.map((e) => ({ unicode: e.unicode, shortcode: e.shortcode })) };

/**
 * EmojiService's definition with ListAll's answer encoded once: it never
 * changes, and encoding 99 messages on every call was the largest cost of
 * web's /api/list (see docs/benchmarks-emojivoto.md).
 */
function serviceWithCachedList(): ServiceDefinition {
  const definition = EmojiService.service;
  const listAll = definition.ListAll as MethodDefinition<object, ListAllEmojiResponse>;
  const encoded = listAll.responseSerialize(LIST_ALL);
  return {
    ...definition,
    ListAll: {
      ...listAll,
      responseSerialize: (value: ListAllEmojiResponse) =>
        value === LIST_ALL ? encoded : listAll.responseSerialize(value),
    },
  };
}

/** Registers EmojiService: the 99 emojis in order, and lookups by shortcode. */
export function registerEmojiService(server: Server): void {
  server.addService(serviceWithCachedList(), {
    ListAll(_call: ServerUnaryCall<object, ListAllEmojiResponse>, callback: sendUnaryData<ListAllEmojiResponse>) {
      callback(null, LIST_ALL);
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
