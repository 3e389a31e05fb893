// Cost of one original-destination lookup on an accepted socket, the price a
// transparent listener pays per connection. Linux, as root: it makes a
// weft-test-* network namespace with a REDIRECT rule, accepts connections there
// and times N lookups on them, against a getsockname through Node's own socket
// binding (one syscall and one object, uncached) measured in the same run. Each
// row is the best of REPEATS passes, the rows interleaved, since the machine is
// shared. `--write` puts the figures in docs/benchmarks.md under their own heading.
//   node bench/lookup.ts [--write]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { loadOriginalDst, originalDstOf, socketFd } from '../src/index.ts';
import { Netns } from '../test/netns.ts';

const CONNECTIONS = 100;
const ROUNDS = 20;
const REPEATS = 50;
const TARGET = '10.79.0.9';
const BASELINE = "getsockname via Node's handle (baseline)";

interface Figures {
  readonly calls: number;
  readonly nsPerCall: Readonly<Record<string, number>>;
}

function time(sockets: readonly Socket[], call: (s: Socket) => unknown): number {
  const start = process.hrtime.bigint();
  for (let r = 0; r < ROUNDS; r++) for (const s of sockets) call(s);
  return Number(process.hrtime.bigint() - start) / (ROUNDS * sockets.length);
}

/** Best of REPEATS interleaved passes of every row, after one warm-up pass each. */
function race(rows: Record<string, [readonly Socket[], (s: Socket) => unknown]>): Record<string, number> {
  const best: Record<string, number> = {};
  for (const [sockets, call] of Object.values(rows)) for (const s of sockets) call(s);
  for (let i = 0; i < REPEATS; i++)
    for (const [name, [sockets, call]] of Object.entries(rows))
      best[name] = Math.min(best[name] ?? Number.POSITIVE_INFINITY, time(sockets, call));
  return best;
}

// Node's socket.address() caches its answer; the handle's getsockname asks the kernel every time.
const getsockname = (s: Socket) =>
  (s as unknown as { _handle: { getsockname(out: object): number } })._handle.getsockname({});

async function accept(port: number, host: string, n: number, server: ReturnType<typeof createServer>) {
  const accepted: Socket[] = [];
  const all = new Promise<void>((resolve) => {
    const onConnection = (s: Socket) => {
      accepted.push(s);
      if (accepted.length === n) {
        server.off('connection', onConnection);
        resolve();
      }
    };
    server.on('connection', onConnection);
  });
  const clients = Array.from({ length: n }, () => connect({ host, port }));
  await all;
  return { accepted, clients };
}

/** Runs inside the namespace: prints the figures as JSON. */
async function measure(): Promise<void> {
  const lookup = loadOriginalDst();
  if (!lookup.available) throw new Error(lookup.reason);
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  execFileSync('iptables', [
    '-t',
    'nat',
    '-A',
    'OUTPUT',
    '-p',
    'tcp',
    '-d',
    TARGET,
    '-j',
    'REDIRECT',
    '--to-ports',
    String(port),
  ]);
  const redirected = await accept(80, TARGET, CONNECTIONS, server);
  const direct = await accept(port, '127.0.0.1', CONNECTIONS, server);
  if (originalDstOf(redirected.accepted[0] as Socket)?.address !== TARGET) throw new Error('not redirected');
  const raw = lookup.lookup;
  const figures: Figures = {
    calls: ROUNDS * CONNECTIONS,
    nsPerCall: race({
      [BASELINE]: [redirected.accepted, getsockname],
      'originalDstOf(socket), redirected': [redirected.accepted, originalDstOf],
      'addon, fd only (it asks getsockname), redirected': [redirected.accepted, (s) => raw(socketFd(s) as number)],
      'addon, fd and family, redirected': [redirected.accepted, (s) => raw(socketFd(s) as number, 4)],
      'originalDstOf(socket), tracked, not redirected': [direct.accepted, originalDstOf],
    }),
  };
  for (const s of [...redirected.accepted, ...redirected.clients, ...direct.accepted, ...direct.clients]) s.destroy();
  server.close();
  process.stdout.write(JSON.stringify(figures));
}

function report(f: Figures): string {
  const base = f.nsPerCall[BASELINE] as number;
  const rows = Object.entries(f.nsPerCall).map(
    ([name, ns]) => `| ${name} | ${Math.round(ns)} | ${(ns / base).toFixed(2)}× |`,
  );
  return [
    '## Original destination lookup',
    '',
    'Written by `node packages/original-dst/bench/lookup.ts --write` (as root). Do not edit by hand; rerun it.',
    '',
    `- Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
    `- Machine: ${availableParallelism()} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}; load average ${loadavg()[0]?.toFixed(2)} at start`,
    `- ${CONNECTIONS} accepted connections in a network namespace, redirected by an iptables REDIRECT rule`,
    `  (or made straight to the listener); ${f.calls} calls per pass, best of ${REPEATS} interleaved passes.`,
    '- Other work shares the machine: compare rows of one run, not runs (they differ by up to 2× under load).',
    '',
    '| call | ns per call | vs baseline |',
    '|---|---:|---:|',
    ...rows,
    '',
  ].join('\n');
}

function write(section: string): void {
  const path = new URL('../../../docs/benchmarks.md', import.meta.url);
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf('## Original destination lookup');
  const next = at < 0 ? -1 : text.indexOf('\n## ', at + 1);
  const before = at < 0 ? `${text.trimEnd()}\n\n` : text.slice(0, at);
  const after = next < 0 ? '' : text.slice(next + 1);
  writeFileSync(path, `${before}${section}${after ? `\n${after}` : ''}`);
}

if (process.argv[2] === 'inside') {
  await measure();
} else {
  const ns = new Netns();
  try {
    ns.veth(['10.79.0.1/24']);
    const figures = JSON.parse(ns.run(process.execPath, [new URL(import.meta.url).pathname, 'inside'])) as Figures;
    const section = report(figures);
    console.log(section);
    if (process.argv.includes('--write')) write(section);
  } finally {
    ns.remove();
  }
}
