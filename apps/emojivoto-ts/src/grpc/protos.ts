import { fileURLToPath } from 'node:url';
import { type GrpcObject, loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

export const PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url));

// keepCase keeps the original's capitalised field names (Shortcode, Emoji,
// Votes) on the JavaScript objects; without it proto-loader would camelCase
// them and the code would no longer read like the wire contract.
const definition = loadSync(['Emoji.proto', 'Voting.proto'], {
  includeDirs: [PROTO_DIR],
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: false,
});

const v1 = (loadPackageDefinition(definition).emojivoto as GrpcObject).v1 as GrpcObject;

export const EmojiService = v1.EmojiService as ServiceClientConstructor;
export const VotingService = v1.VotingService as ServiceClientConstructor;
