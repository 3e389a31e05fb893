import type { Options } from '@grpc/proto-loader';

// One set of decoding options for code generation and for runtime loading, so
// the generated types describe exactly the objects grpc-js hands us: camelCase
// fields, 64-bit integers and enums as strings, defaults filled in, and a
// virtual field naming which member of each oneof is set.
export const LOAD_OPTIONS = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
} satisfies Options;

// The same options as command-line flags for proto-loader-gen-types.
export const GENERATOR_FLAGS = ['--longs=String', '--enums=String', '--defaults', '--oneofs'];
