// Generates TypeScript types for every proto/*.proto into src/gen/.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATOR_FLAGS } from '../src/load-options.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const protos = readdirSync(join(root, 'proto')).filter((f) => f.endsWith('.proto'));
rmSync(join(root, 'src/gen'), { recursive: true, force: true });
execFileSync(
  'proto-loader-gen-types',
  [
    '--grpcLib=@grpc/grpc-js',
    '--importFileExtension=.ts',
    '--includeComments',
    ...GENERATOR_FLAGS,
    '-I',
    'proto',
    '-O',
    'src/gen',
    ...protos,
  ],
  { cwd: root, stdio: 'inherit' },
);
