import { type Client, credentials, type Interceptor, type ServiceError } from '@grpc/grpc-js';
import type { Emoji } from '../emoji/catalogue.ts';
import type { FindByShortcodeResponse, ListAllEmojiResponse, ResultsResponse, VotingResult } from './messages.ts';
import { EmojiService, VotingService } from './protos.ts';
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
  listAll(): Promise<Emoji[]>;
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

export function emojiClient(address: string, interceptors: Interceptor[] = []): EmojiClient {
  const client = new EmojiService(address, credentials.createInsecure(), { interceptors });
  return {
    async listAll() {
      const response = await unary<ListAllEmojiResponse>(client, 'ListAll', {});
      return (response.list ?? []).map(toEmoji);
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
