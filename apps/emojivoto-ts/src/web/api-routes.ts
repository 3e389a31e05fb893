import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Emoji } from '../emoji/catalogue.ts';
import type { EmojiClient, VotingClient } from '../grpc/clients.ts';
import { RpcError } from '../grpc/clients.ts';
import { inRequestSpan } from '../tracing/http-server-span.ts';
import { voteRpcName } from '../voting/vote-rpcs.ts';

export interface Backends {
  readonly emoji: EmojiClient;
  readonly voting: VotingClient;
}

/** A row of /api/leaderboard; votes is a string, as the original's JSON has it. */
export interface LeaderboardEntry {
  votes: string;
  unicode: string;
  shortcode: string;
}

// The JSON of each list web has served, keyed by the (read-only) array the
// emoji client hands out: while ListAll's answer is unchanged it is the same
// array, so the 99 entries are serialized once, not on every request.
const listJson = new WeakMap<readonly Emoji[], Buffer>();

function jsonOfList(list: readonly Emoji[]): Buffer {
  let json = listJson.get(list);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(list));
    listJson.set(list, json);
  }
  return json;
}

function sendError(reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  return reply.code(statusCode).type('application/json; charset=UTF-8').send({ error: message });
}

function rpcFailure(reply: FastifyReply, error: unknown): FastifyReply {
  return sendError(reply, 500, error instanceof RpcError ? error.message : String(error));
}

/** The first `choice` from the query string or a form body, like Go's FormValue. */
function choiceOf(request: FastifyRequest): string | undefined {
  const fromQuery = (request.query as Record<string, unknown> | undefined)?.choice;
  const fromBody = (request.body as Record<string, unknown> | undefined | null)?.choice;
  const value = fromQuery ?? fromBody;
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

/**
 * /api/list, /api/vote and /api/leaderboard with the original's status codes:
 * 400 for a missing or unknown choice, 500 with {"error"} when a gRPC call
 * fails, 200 with an empty body for a vote. Like Go's ServeMux the handlers
 * answer any method.
 */
export function registerApiRoutes(app: FastifyInstance, backends: Backends): void {
  app.all('/api/list', (request, reply) =>
    inRequestSpan(request, async () => {
      try {
        const list = await backends.emoji.listAll();
        return reply.type('application/json; charset=utf-8').send(jsonOfList(list));
      } catch (error) {
        return rpcFailure(reply, error);
      }
    }),
  );

  app.all('/api/vote', (request, reply) =>
    inRequestSpan(request, async () => {
      const choice = choiceOf(request);
      if (choice === undefined) return sendError(reply, 400, 'emoji choice is required');
      try {
        const emoji = await backends.emoji.findByShortcode(choice);
        if (!emoji) return sendError(reply, 400, `choice ${JSON.stringify(choice)} is not an emoji`);
        await backends.voting.vote(voteRpcName(emoji.shortcode));
        return reply.code(200).send();
      } catch (error) {
        return rpcFailure(reply, error);
      }
    }),
  );

  app.all('/api/leaderboard', (request, reply) =>
    inRequestSpan(request, async () => {
      try {
        const results = await backends.voting.results();
        // One FindByShortcode per row, as the original does: the N+1 fan-out
        // is part of what a trace of this route shows.
        const rows = await Promise.all(
          results.map(async (r): Promise<LeaderboardEntry | undefined> => {
            const emoji = await backends.emoji.findByShortcode(r.shortcode);
            // Only :relaxed: can be voted for without being an emoji (directly
            // over gRPC); it has nothing to show, so it is left out.
            return emoji && { votes: String(r.votes), unicode: emoji.unicode, shortcode: emoji.shortcode };
          }),
        );
        return reply.send(rows.filter((row) => row !== undefined));
      } catch (error) {
        return rpcFailure(reply, error);
      }
    }),
  );
}
