import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { compileCrdSchemas } from '../src/crd-schemas.ts';
import { formatError, validateDocuments } from '../src/validate.ts';
import { REPO_ROOT, readDocuments, yamlFiles } from '../src/yaml-documents.ts';

// docs/kubernetes.md walks a user through a cluster that cannot run here. Its
// command blocks say which they are; this test runs the ones that need no
// cluster, as a user would type them, and checks the others still name files
// that exist.

const run = promisify(execFile);
const DOC = 'docs/kubernetes.md';
const MARK = /^# (runs here|needs a cluster|tested by (\S+))/;

interface Block {
  readonly line: number;
  readonly body: string;
  readonly mark: RegExpExecArray | null;
}

const text = readFileSync(join(REPO_ROOT, DOC), 'utf8');
const blocks: Block[] = [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => ({
  line: text.slice(0, m.index).split('\n').length,
  body: m[1] as string,
  mark: MARK.exec(m[1] as string),
}));
const runnable = blocks.filter((b) => b.mark?.[1] === 'runs here');

const work = mkdtempSync(join(tmpdir(), 'weft-docs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe(DOC, () => {
  it('marks every command block as run here, tested elsewhere, or needing a cluster', () => {
    expect(blocks.length).toBeGreaterThan(8);
    for (const b of blocks) {
      expect(b.mark, `${DOC}:${b.line} starts with "${b.body.split('\n')[0]}"`).not.toBeNull();
      const testedBy = b.mark?.[2];
      if (testedBy) expect(existsSync(join(REPO_ROOT, testedBy)), `${DOC}:${b.line} ${testedBy}`).toBe(true);
    }
    expect(runnable.length).toBeGreaterThanOrEqual(3);
  });

  it('names only files and folders of the repository that exist', () => {
    let checked = 0;
    for (const b of blocks) {
      // Two levels at least: `deploy/web` in `rollout status deploy/web` is a Deployment, not a path.
      for (const m of b.body.matchAll(/(?<![\w./-])((?:deploy|loadtests|packages|apps)\/[\w.-]+\/[\w./-]*)/g)) {
        const path = (m[1] as string).replace(/[.]$/, '');
        expect(existsSync(join(REPO_ROOT, path)), `${DOC}:${b.line} ${path}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('runs its runnable blocks in order, and every manifest they write validates', { timeout: 180_000 }, async () => {
    // A scratch copy of what the commands read and write, so configmap.sh
    // rewrites the copy's ConfigMap, not the repository's.
    const skip = (src: string) => !src.split('/').includes('node_modules');
    cpSync(join(REPO_ROOT, 'deploy'), join(work, 'deploy'), { recursive: true, filter: skip });
    cpSync(join(REPO_ROOT, 'loadtests/k6'), join(work, 'loadtests/k6'), { recursive: true });
    const bin = join(work, '.bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'weft'),
      `#!/bin/sh\nexec "${process.execPath}" "${join(REPO_ROOT, 'packages/cli/src/main.ts')}" "$@"\n`,
    );
    chmodSync(join(bin, 'weft'), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, KUBECONFIG: join(work, 'no-kubeconfig') };
    for (const b of runnable) {
      try {
        await run('sh', ['-eu', '-c', b.body], { cwd: work, env });
      } catch (err) {
        throw new Error(`${DOC}:${b.line} failed: ${(err as Error).message}`);
      }
    }

    const written = readdirSync(work).filter((f) => f.endsWith('.yaml'));
    expect(written.sort()).toEqual([
      'emojivoto-annotated.yaml',
      'emojivoto-injected.yaml',
      'k6-job-faster.yaml',
      'weft-identity-certs.yaml',
      'weft-webhook-certs.yaml',
    ]);
    const docs = written.flatMap((f) => readDocuments(join(work, f)));
    const crds = compileCrdSchemas(yamlFiles(join(REPO_ROOT, 'deploy/crds')).flatMap(readDocuments));
    expect((await validateDocuments(docs, crds)).map(formatError)).toEqual([]);
    // configmap.sh, run on the unchanged script, writes the ConfigMap the repository has.
    const k6Script = 'deploy/loadtest/k6-script.yaml';
    expect(readDocuments(join(work, k6Script)).map((d) => d.object)).toEqual(
      readDocuments(join(REPO_ROOT, k6Script)).map((d) => d.object),
    );
  });
});
