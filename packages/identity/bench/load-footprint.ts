// What importing identity costs a process: resident memory and import time
// of the whole package against its `tls` entry point (what the proxy loads),
// each in fresh Node processes, with node:tls alone as the baseline. Cold:
// no compile cache, so Node strips the TypeScript of every module; warm: a
// compile cache filled by an earlier run (NODE_COMPILE_CACHE, as deployed).
//
//   node packages/identity/bench/load-footprint.ts      (prints a Markdown table)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
// The package's error catalogue imports nothing: what any one TypeScript module costs (the type stripper).
const TARGETS = ['node:tls', './src/errors.ts', '@weft/identity/tls', '@weft/identity'];

// Runs in the child: node:tls first (every TLS endpoint has it), then the
// import's wall time, then RSS once the heap settled.
const PROBE = `
await import('node:tls');
const start = performance.now();
await import(process.env.ENTRY);
const importMs = performance.now() - start;
await new Promise((r) => setTimeout(r, 50));
console.log(JSON.stringify({ importMs, rss: process.memoryUsage().rss }));
`;

interface Sample {
  readonly importMs: number;
  readonly rss: number;
  /** Spawn to exit, as a user waits for it. */
  readonly processMs: number;
}

function probe(entry: string, cache: string | undefined): Sample {
  const env: Record<string, string | undefined> = { ...process.env, ENTRY: entry, NODE_COMPILE_CACHE: cache };
  if (!cache) delete env.NODE_COMPILE_CACHE;
  const start = performance.now();
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE], { cwd: PACKAGE_DIR, env });
  const processMs = performance.now() - start;
  return { ...(JSON.parse(out.toString()) as Omit<Sample, 'processMs'>), processMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function measure(entry: string, cache: string | undefined): Sample {
  if (cache) probe(entry, cache);
  const samples = Array.from({ length: RUNS }, () => probe(entry, cache));
  return {
    importMs: median(samples.map((s) => s.importMs)),
    rss: median(samples.map((s) => s.rss)),
    processMs: median(samples.map((s) => s.processMs)),
  };
}

const cacheDir = mkdtempSync(join(tmpdir(), 'weft-footprint-'));
try {
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const signed = (bytes: number) => `${bytes < 0 ? '' : '+'}${mb(bytes)}`;
  const rows: string[] = [];
  for (const [mode, cache] of [
    ['cold', undefined],
    ['warm', cacheDir],
  ] as const) {
    const base = measure('node:tls', cache);
    for (const entry of TARGETS) {
      const s = entry === 'node:tls' ? base : measure(entry, cache);
      rows.push(
        `| ${entry} | ${mode} | ${mb(s.rss)} | ${signed(s.rss - base.rss)} | ${s.importMs.toFixed(0)} | ${s.processMs.toFixed(0)} |`,
      );
    }
  }
  console.log(
    `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), median of ${RUNS} processes\n`,
  );
  console.log('| imported after node:tls | compile cache | RSS MB | over node:tls | import ms | process ms |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
