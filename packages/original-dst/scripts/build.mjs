// Compiles the addon with the system's C compiler against the headers of the
// Node that runs this script (node-gyp would download them, and N-API needs
// nothing else). Exit status 0 with a note when there is nothing to build on
// this platform, so `pnpm install` never fails for want of a compiler: the
// proxy then runs without original destinations.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'addon.c');
const out = join(root, 'build', 'original_dst.node');
const headers = join(dirname(process.execPath), '..', 'include', 'node');

function note(message) {
  process.stderr.write(`@weft/original-dst: ${message}\n`);
}

if (process.platform !== 'linux') {
  note(`not built: SO_ORIGINAL_DST exists only on Linux (this is ${process.platform})`);
} else if (!existsSync(join(headers, 'node_api.h'))) {
  note(`not built: no node_api.h under ${headers}`);
} else {
  const cc = process.env.CC || 'cc';
  mkdirSync(dirname(out), { recursive: true });
  // Build beside the target and rename, so a process loading it never sees half a file.
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    execFileSync(cc, ['-shared', '-fPIC', '-O2', '-Wall', `-I${headers}`, source, '-o', tmp], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    renameSync(tmp, out);
    note(`built ${out}`);
  } catch (err) {
    note(`not built: ${cc} failed (${err.message.split('\n')[0]})`);
  }
}
