import { spawn } from 'node:child_process';

// Test support for the mesh's packages that serve /metrics: Prometheus's own
// checker, `promtool check metrics` (from the prometheus package), run on an
// exposition. It lives here because each of them already depends on
// @weft/api, which depends on none of them; it is not part of the runtime API.

/** promtool's style lint on `*_latency_ms`: Linkerd's names, which dashboards query, keep "ms". */
const LINKERD_UNIT_LINT = /^\S+_latency_ms metric names should not contain abbreviated units$/;

/**
 * What promtool finds wrong with `text`, one entry per complaint, apart from
 * the unit lint on Linkerd's `*_latency_ms` names: empty when it passes. A
 * parse error, or promtool failing to run, is always reported.
 */
export async function promtoolProblems(text: string): Promise<string[]> {
  const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', (err) => resolve(err.message));
    child.once('close', (code, signal) => resolve(code ?? `signal ${signal}`));
  });
  // promtool may exit before reading everything on a parse error; that is reported below.
  child.stdin.on('error', () => {});
  child.stdin.end(text);
  const code = await exited;
  const problems = out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !LINKERD_UNIT_LINT.test(line));
  // 0: clean; 3: lint findings only (listed above). Anything else: it could not parse or run.
  if (code !== 0 && code !== 3) problems.push(`promtool exited with ${code}`);
  return problems;
}
