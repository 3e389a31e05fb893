import {
  type Client,
  credentials,
  type Interceptor,
  type MethodDefinition,
  makeClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import type { Emoji } from '../emoji/catalogue.ts';
import type { FindByShortcodeResponse, ListAllEmojiResponse, ResultsResponse, VotingResult } from './messages.ts';
import { EmojiService, VotingService } from './protos.ts';
import { reuseUnchanged } from './reuse-unchanged.ts';
import { goRpcErrorText } from './status-text.ts';

/** A failed gRPC call, carrying the status web reports to its caller. */
export class RpcError extends Error {
  readonly code: number;
  readonly details: string;

  constructor(error: ServiceError) {
    const details = error.details ?? error.message;
    super(goRpcErrorText(error.code, details));
    this.name = 'RpcError';
    this.code = error.code;
    this.details = details;
  }
}

type UnaryMethod = (request: object, callback: (error: ServiceError | null, response?: unknown) => void) => unknown;

function unary<T>(client: Client, method: string, request: object): Promise<T> {
  const call = (client as unknown as Record<string, UnaryMethod>)[method];
  if (typeof call !== 'function') return Promise.reject(new Error(`no RPC named ${method}`));
  return new Promise((resolve, reject) => {
    call.call(client, request, (error, response) => {
      if (error) reject(new RpcError(error));
      else resolve(response as T);
    });
  });
}

function toEmoji(message: { unicode?: string; shortcode?: string }): Emoji {
  return { unicode: message.unicode ?? '', shortcode: message.shortcode ?? '' };
}

export interface EmojiClient {
  /** The list in ListAll order; read-only, and the same array while the answer does not change. */
  listAll(): Promise<readonly Emoji[]>;
  /** The emoji, or undefined when the service answers OK with Emoji unset (an unknown shortcode). */
  findByShortcode(shortcode: string): Promise<Emoji | undefined>;
  close(): void;
}

export interface VotingClient {
  /** Calls one of the VoteXxx RPCs, e.g. "VoteJoy". */
  vote(rpcName: string): Promise<void>;
  results(): Promise<Array<{ shortcode: string; votes: number }>>;
  close(): void;
}

const listAllMethod = EmojiService.service.ListAll as MethodDefinition<object, ListAllEmojiResponse>;

// EmojiService's client with ListAll's decoder reusing an unchanged answer.
const EmojiServiceClient = makeClientConstructor(
  {
    ...EmojiService.service,
    ListAll: { ...listAllMethod, responseDeserialize: reuseUnchanged(listAllMethod.responseDeserialize) },
  },
  'emojivoto.v1.EmojiService',
);

// One frozen Emoji[] per decoded ListAll answer, so an unchanged answer is
// also the same array (web keys its JSON cache on it).
const emojiLists = new WeakMap<ListAllEmojiResponse, readonly Emoji[]>();

function emojiListOf(response: ListAllEmojiResponse): readonly Emoji[] {
  let list = emojiLists.get(response);
  if (list === undefined) {
    list = Object.freeze((response.list ?? []).map((e) => Object.freeze(toEmoji(e))));
    emojiLists.set(response, list);
  }
  return list;
}

export function emojiClient(address: string, interceptors: Interceptor[] = []): EmojiClient {
  const client = new EmojiServiceClient(address, credentials.createInsecure(), { interceptors });
  return {
    async listAll() {
      return emojiListOf(await unary<ListAllEmojiResponse>(client, 'ListAll', {}));
    },
    async findByShortcode(shortcode) {
      const response = await unary<FindByShortcodeResponse>(client, 'FindByShortcode', { Shortcode: shortcode });
      return response.Emoji ? toEmoji(response.Emoji) : undefined;
    },
    close: () => client.close(),
  };
}

export function votingClient(address: string, interceptors: Interceptor[] = []): VotingClient {
  const client = new VotingService(address, credentials.createInsecure(), { interceptors });
  return {
    async vote(rpcName) {
      await unary<object>(client, rpcName, {});
    },
    async results() {
      const response = await unary<ResultsResponse>(client, 'Results', {});
      return (response.results ?? []).map((r: VotingResult) => ({ shortcode: r.Shortcode ?? '', votes: r.Votes ?? 0 }));
    },
    close: () => client.close(),
  };
}
