import { describe, expect, it } from 'vitest';
import { VotingService } from '../grpc/protos.ts';
import { VOTE_RPCS, voteRpcName } from './vote-rpcs.ts';

describe('Vote RPC names', () => {
  it.each([
    [':stuck_out_tongue_winking_eye:', 'VoteStuckOutTongueWinkingEye'],
    [':point_up_2:', 'VotePointUp2'],
    [':jack_o_lantern:', 'VoteJackOLantern'],
    [':thumbsup:', 'VoteThumbsup'],
    [':100:', 'Vote100'],
  ])('%s is served by %s', (shortcode, rpc) => {
    expect(voteRpcName(shortcode)).toBe(rpc);
  });

  it('cover exactly the 100 Vote RPCs of Voting.proto', () => {
    const declared = Object.keys(VotingService.service).filter((name) => name !== 'Results');
    expect(declared).toHaveLength(100);
    expect(new Set(declared)).toEqual(new Set(VOTE_RPCS.keys()));
    expect(VotingService.service.VoteDoughnut?.path).toBe('/emojivoto.v1.VotingService/VoteDoughnut');
  });
});
