import { fileURLToPath } from 'node:url';
import { BENCHES } from './benches.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function main(names: string[]): Promise<number> {
  if (names.includes('--list') || names.includes('--help')) {
    console.log('Benchmarks (npm run bench [-- name ...]):');
    for (const bench of BENCHES) console.log(`  ${bench.name.padEnd(18)} ${bench.description}`);
    return 0;
  }
  const unknown = names.filter((name) => !BENCHES.some((bench) => bench.name === name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = names.length === 0 ? BENCHES : BENCHES.filter((bench) => names.includes(bench.name));
  for (const bench of selected) {
    console.log(`== ${bench.name}: ${bench.description}`);
    await bench.run({ root: ROOT, log: (line) => console.log(`[${bench.name}] ${line}`) });
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
