#!/usr/bin/env node
// Entry point of the README's two commands. It runs on whatever Node the
// machine has (so it is plain JavaScript), obtains Node 24 and pnpm from the
// npm registry into .toolchain/ when they are missing, installs the workspace,
// and then runs the task with that toolchain first on PATH.
//
//   node scripts/toolchain.mjs dev     # the local mesh with emojivoto
//   node scripts/toolchain.mjs test    # every check and test
//   node scripts/toolchain.mjs bench   # the benchmarks in loadtests/
//   node scripts/toolchain.mjs weft …  # the weft CLI
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killLeftovers, snapshot } from './leftover-processes.mjs';
import { runSteps } from './run-steps.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const TOOLCHAIN = join(ROOT, '.toolchain');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const NODE_VERSION = manifest.engines.node.replace(/^[^\d]*/, '');
const PNPM_VERSION = manifest.packageManager.split('@')[1];

// Debian packages the tests drive as real peers: a headless browser for the
// UI test, openssl for certificate checks, promtool for the metrics format.
// kubectl for the manifests' scripts (offline: --dry-run=client, --local).
const TEST_DEBIAN_PACKAGES = {
  chromium: 'chromium',
  openssl: 'openssl',
  promtool: 'prometheus',
  iptables: 'iptables',
  kubectl: 'kubernetes-client',
  // A file rather than a command: the colour emoji the UI tests look for (without it, empty boxes).
  '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf': 'fonts-noto-color-emoji',
};

const TASKS = {
  // The dashboard's pages are built (or found in turbo's cache) before the mesh serves them.
  dev: [
    ['pnpm', 'exec', 'turbo', 'run', 'build', '--output-logs=errors-only'],
    ['node', 'packages/cli/src/main.ts', 'dev'],
  ],
  // Absolute: weft runs in the directory it was called from, so its file arguments are the user's.
  weft: [['node', join(ROOT, 'packages/cli/src/main.ts')]],
  // Checks run in parallel; test suites one package at a time, because they
  // time real sockets and processes and must not starve each other of 2 cores.
  test: [
    ['pnpm', 'exec', 'turbo', 'run', 'lint', 'typecheck', '--output-logs=errors-only'],
    // --continue: one failing package must not hide the results of the others.
    ['pnpm', 'exec', 'turbo', 'run', 'test', '--concurrency=1', '--continue', '--output-logs=full'],
  ],
  bench: [['pnpm', 'run', '--dir', 'loadtests', 'bench']],
};

function log(line) {
  process.stderr.write(`toolchain: ${line}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (r.status !== 0) {
    log(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

function major(version) {
  return Number(version.replace(/^v/, '').split('.')[0]);
}

function nodeDir() {
  if (major(process.version) >= major(NODE_VERSION)) return dirname(process.execPath);
  const dir = join(TOOLCHAIN, `node-${NODE_VERSION}`);
  const bin = join(dir, 'bin', 'node');
  if (existsSync(bin)) return dirname(bin);
  // Node's release binaries are published on the npm registry as
  // node-<platform>-<arch> packages; npm pack fetches one without running it.
  const pkg = `node-${process.platform}-${process.arch}@${NODE_VERSION}`;
  log(`Node ${process.version} is older than ${NODE_VERSION}; fetching ${pkg}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const packed = spawnSync('npm', ['pack', pkg, '--silent', '--pack-destination', dir], { cwd: dir, encoding: 'utf8' });
  if (packed.status !== 0) {
    log(`npm pack ${pkg} failed:\n${packed.stderr}`);
    process.exit(1);
  }
  const tarball = join(dir, packed.stdout.trim().split('\n').pop());
  run('tar', ['xzf', tarball, '-C', dir, '--strip-components=1']);
  rmSync(tarball);
  return dirname(bin);
}

function pnpmBin(path) {
  const bin = join(TOOLCHAIN, 'pnpm', 'node_modules', '.bin');
  const have = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env: { ...process.env, PATH: path } });
  if (have.status === 0 && have.stdout.trim() === PNPM_VERSION) return null;
  if (existsSync(join(bin, 'pnpm'))) return bin;
  log(`installing pnpm ${PNPM_VERSION} into .toolchain/pnpm`);
  run(
    'npm',
    ['install', '--silent', '--no-audit', '--no-fund', '--prefix', join(TOOLCHAIN, 'pnpm'), `pnpm@${PNPM_VERSION}`],
    {
      env: { ...process.env, PATH: path },
    },
  );
  return bin;
}

function which(cmd, path) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { env: { ...process.env, PATH: path } }).status === 0;
}

function ensureDebianPackages(path) {
  const missing = Object.entries(TEST_DEBIAN_PACKAGES)
    .filter(([need]) => (need.startsWith('/') ? !existsSync(need) : !which(need, path)))
    .map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo'];
  if (asRoot.length && !which('sudo', path)) {
    log(`the tests need these Debian packages: ${missing.join(' ')}; install them as root and run again`);
    process.exit(1);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run(asRoot[0] ?? 'apt-get', [...asRoot.slice(1), ...(asRoot.length ? ['apt-get'] : []), 'update', '-qq'], { env });
  run(
    asRoot[0] ?? 'apt-get',
    [
      ...asRoot.slice(1),
      ...(asRoot.length ? ['apt-get'] : []),
      'install',
      '-y',
      '-qq',
      '--no-install-recommends',
      ...missing,
    ],
    { env },
  );
}

// weft's flags that npm takes for its own when `npm run weft` is typed without
// `--`: it sets npm_config_<flag> and passes only the values on.
const WEFT_FLAGS_NPM_TAKES = ['o', 'a', 't', 'output', 'namespace', 'all_namespaces', 'to', 'from', 'window', 'prometheus'];

function main() {
  const task = process.argv[2];
  const command = TASKS[task];
  if (!command) {
    log(`unknown task "${task ?? ''}"; one of: ${Object.keys(TASKS).join(', ')}`);
    process.exit(2);
  }
  const taken = WEFT_FLAGS_NPM_TAKES.filter((flag) => process.env[`npm_config_${flag}`] !== undefined);
  if (task === 'weft' && process.env.npm_lifecycle_event === 'weft' && taken.length > 0) {
    const flags = taken.map((f) => (f.length === 1 ? `-${f === 'a' ? 'A' : f}` : `--${f.replaceAll('_', '-')}`));
    log(`npm took ${flags.join(' ')} for itself: put -- before weft's arguments (npm run weft -- stat -n emojivoto deploy), or run bin/weft`);
    process.exit(2);
  }
  let path = `${nodeDir()}:${process.env.PATH}`;
  const pnpm = pnpmBin(path);
  if (pnpm) path = `${pnpm}:${path}`;
  const env = { ...process.env, PATH: path, npm_config_update_notifier: 'false' };
  // `dev` and `weft` start straight away when the workspace is installed as the
  // manifests and the lockfile say; the tests always install, as CI does.
  const stamp = installStamp();
  if (task === 'test' || readInstalledStamp() !== stamp) {
    run('pnpm', ['install', '--frozen-lockfile', '--reporter=append-only', '--config.confirmModulesPurge=false'], {
      env,
      // weft's standard output is its own (tables, JSON for scripts): the install speaks on standard error.
      stdio: task === 'weft' ? ['inherit', 2, 2] : 'inherit',
    });
    writeFileSync(INSTALLED_STAMP, stamp);
  }
  if (task === 'test') ensureDebianPackages(path);
  const steps = command.map(([cmd, ...args], i) => [
    cmd,
    i === command.length - 1 ? [...args, ...process.argv.slice(3)] : args,
  ]);
  // What runs in this checkout before the tests (a `weft dev` in another terminal) is not theirs.
  const before = task === 'test' ? snapshot(ROOT) : undefined;
  runSteps(steps, {
    // npm run starts scripts in the checkout; INIT_CWD is where the user typed the command.
    cwd: task === 'weft' ? (process.env.INIT_CWD ?? process.cwd()) : ROOT,
    env,
    // `weft dev` ends with this process even when it is SIGKILLed (and its children with it).
    lifeline: task === 'dev' ? join(ROOT, 'packages/cli/src/dev/lifeline.ts') : undefined,
    after: before ? (status) => afterTests(status, before) : undefined,
  });
}

// The count of what ran, and a failure if any test left a process running.
async function afterTests(status, before) {
  await printSummary();
  const left = await killLeftovers(before, 'npm test', ROOT);
  return left > 0 && status === 0 ? 1 : status;
}

const INSTALLED_STAMP = join(ROOT, 'node_modules', '.weft-installed');

/** What the install depends on: the lockfile, the workspace's settings and every package's manifest. */
function installStamp() {
  const hash = createHash('sha256');
  for (const file of ['pnpm-lock.yaml', 'pnpm-workspace.yaml', 'package.json', ...workspaceDirs().map((d) => `${d}/package.json`)]) {
    const path = join(ROOT, file);
    hash.update(`${file}\0${existsSync(path) ? readFileSync(path) : ''}\0`);
  }
  return hash.digest('hex');
}

function readInstalledStamp() {
  return existsSync(INSTALLED_STAMP) ? readFileSync(INSTALLED_STAMP, 'utf8') : undefined;
}

/** The workspace's package folders, as pnpm-workspace.yaml's `packages:` lists them (`dir` or `dir/*`). */
function workspaceDirs() {
  const lines = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8').split('\n');
  const start = lines.findIndex((line) => /^packages:\s*$/.test(line));
  const listed = [];
  for (const line of lines.slice(start + 1)) {
    const entry = line.match(/^\s+-\s*['"]?([^'"\s]+)['"]?\s*$/)?.[1];
    if (!entry) break;
    listed.push(entry);
  }
  return listed.flatMap((entry) => {
    if (!entry.endsWith('/*')) return [entry];
    const top = entry.slice(0, -2);
    return existsSync(join(ROOT, top)) ? readdirSync(join(ROOT, top)).map((d) => `${top}/${d}`) : [];
  });
}

async function printSummary() {
  const { summarize } = await import('./test-summary.mjs');
  const dirs = workspaceDirs();
  const { lines } = summarize(ROOT, dirs);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
