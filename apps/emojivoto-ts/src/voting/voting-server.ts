import { setTimeout as sleep } from 'node:timers/promises';
import { type Server, type ServerUnaryCall, type sendUnaryData, status, type UntypedHandleCall } from '@grpc/grpc-js';
import { EmojivotoError } from '../errors.ts';
import type { ResultsResponse } from '../grpc/messages.ts';
import { VotingService } from '../grpc/protos.ts';
import type { Counter } from '../metrics/counter.ts';
import type { Tally } from './tally.ts';
import { VOTE_RPCS } from './vote-rpcs.ts';

export interface VotingBehaviour {
  /** undefined: VoteDoughnut always fails (v11); otherwise the probability that it fails. */
  readonly failureRate: number | undefined;
  readonly artificialDelayMs: number;
  readonly random: () => number;
}

const DOUGHNUT = ':doughnut:';

/** Registers VotingService: all 100 Vote RPCs and Results, backed by `tally`. */
export function registerVotingService(
  server: Server,
  tally: Tally,
  votesTotal: Counter,
  behaviour: VotingBehaviour,
): void {
  const definition = VotingService.service;
  const handlers: Record<string, UntypedHandleCall> = {};
  for (const rpc of Object.keys(definition)) {
    if (rpc === 'Results') continue;
    const shortcode = VOTE_RPCS.get(rpc);
    if (shortcode === undefined) {
      throw new EmojivotoError('EMOJIVOTO_PROTO_MISMATCH', `Voting.proto declares ${rpc}, which names no emoji`, {
        rpc,
      });
    }
    handlers[rpc] = async (_call: ServerUnaryCall<object, object>, callback: sendUnaryData<object>) => {
      if (behaviour.artificialDelayMs > 0) await sleep(behaviour.artificialDelayMs);
      if (shortcode === DOUGHNUT && doughnutFails(behaviour)) {
        callback({ code: status.UNKNOWN, details: 'ERROR' });
        return;
      }
      tally.record(shortcode);
      votesTotal.inc({ emoji: shortcode });
      callback(null, {});
    };
  }
  handlers.Results = (_call: ServerUnaryCall<object, ResultsResponse>, callback: sendUnaryData<ResultsResponse>) => {
    callback(null, { results: tally.results().map((r) => ({ Shortcode: r.shortcode, Votes: r.votes })) });
  };
  server.addService(definition, handlers);
}

function doughnutFails(behaviour: VotingBehaviour): boolean {
  return behaviour.failureRate === undefined || behaviour.random() < behaviour.failureRate;
}
