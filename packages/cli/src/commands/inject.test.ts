import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const EMOJIVOTO = join(ROOT, 'deploy/emojivoto/emojivoto.yaml');
const dir = mkdtempSync(join(tmpdir(), 'weft-inject-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function weft(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [join(ROOT, 'packages/cli/src/main.ts'), ...args], {
    input,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Parsed YAML is walked deep into pod specs; the assertions check the shape.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Loose = any;
type Obj = { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec?: Loose };
const docs = (yaml: string): Obj[] => parseAllDocuments(yaml).map((d) => d.toJS());
const byName = (objs: Obj[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
};
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('weft inject on the emojivoto manifest', () => {
  const input = docs(readFileSync(EMOJIVOTO, 'utf8'));
  const { code, stdout, stderr } = weft(['inject', EMOJIVOTO]);
  const output = docs(stdout);

  it('annotates the four Deployments and reports each', () => {
    expect(code).toBe(0);
    for (const name of ['emoji', 'voting', 'web', 'vote-bot']) {
      const d = byName(output, 'Deployment', name);
      expect(d.spec.template.metadata.annotations).toEqual({ 'weft.dev/inject': 'enabled' });
      expect(d.spec.template.spec.containers).toHaveLength(1);
      expect(stderr).toContain(`deployment "${name}" injected`);
    }
  });

  it('leaves Services and ServiceAccounts as they were', () => {
    expect(output).toHaveLength(input.length);
    for (const name of ['web-svc', 'emoji-svc', 'voting-svc']) {
      expect(byName(output, 'Service', name)).toEqual(byName(input, 'Service', name));
      expect(stderr).toContain(`service "${name}" skipped`);
    }
    expect(byName(output, 'ServiceAccount', 'web')).toEqual(byName(input, 'ServiceAccount', 'web'));
  });

  it('keeps the comments of the input', () => {
    expect(stdout.startsWith('# emojivoto, the demo app')).toBe(true);
  });
});

describe('weft inject --manual', () => {
  const { code, stdout, stderr } = weft(
    ['inject', '--manual', '--proxy-log-level', 'debug', '-'],
    readFileSync(EMOJIVOTO, 'utf8'),
  );
  const output = docs(stdout);

  it('writes the sidecar and init container into each pod template, from stdin', () => {
    expect(code, stderr).toBe(0);
    const web = byName(output, 'Deployment', 'web').spec.template;
    expect(web.spec.initContainers.map((c: { name: string }) => c.name)).toEqual(['weft-init', 'weft-proxy']);
    const env = Object.fromEntries(
      web.spec.initContainers[1].env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    expect(env.WEFT_PROXY_IDENTITY_LOCAL_NAME).toBe('web.emojivoto.serviceaccount.identity.weft-system.cluster.local');
    expect(env.WEFT_PROXY_LOG_LEVEL).toBe('debug');
    expect(web.metadata.annotations['weft.dev/created-by']).toMatch(/^weft\/cli /);
    expect(web.metadata.labels['weft.dev/proxy-deployment']).toBe('web');
    expect(stderr).toContain('warning: no --identity-trust-anchors-file given');
  });

  it('hands the proxies the trust anchors from --identity-trust-anchors-file', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n';
    const r = weft(['inject', '--manual', '--identity-trust-anchors-file', file('ca.crt', pem), EMOJIVOTO]);
    const web = byName(docs(r.stdout), 'Deployment', 'web').spec.template;
    const anchors = web.spec.initContainers[1].env.find(
      (e: { name: string }) => e.name === 'WEFT_PROXY_IDENTITY_TRUST_ANCHORS',
    );
    expect(anchors.value).toBe(pem);
    expect(r.stderr).not.toContain('warning');
  });

  it('gives vote-bot, which has no ServiceAccount, the default identity', () => {
    const bot = byName(output, 'Deployment', 'vote-bot').spec.template;
    const env = bot.spec.initContainers[1].env.find(
      (e: { name: string }) => e.name === 'WEFT_PROXY_IDENTITY_LOCAL_NAME',
    );
    expect(env.value).toBe('default.emojivoto.serviceaccount.identity.weft-system.cluster.local');
  });

  it('is idempotent: injecting its own output changes nothing', () => {
    const again = weft(['inject', '--manual', '-'], stdout);
    expect(docs(again.stdout)).toEqual(output);
    expect(again.stderr).toContain('deployment "web" skipped: pod already has the weft-proxy sidecar');
  });
});

describe('weft inject on other kinds and bad input', () => {
  it('finds pod templates in Lists, StatefulSets, DaemonSets, Jobs, CronJobs and Pods', () => {
    const pod = (name: string) => ({
      metadata: { labels: { app: name } },
      spec: { containers: [{ name, image: 'x' }] },
    });
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { template: pod('db') } },
        { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { template: pod('agent') } },
      ],
    };
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once' }, spec: { template: pod('once') } };
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: { schedule: '0 0 * * *', jobTemplate: { spec: { template: pod('nightly') } } },
    };
    const bare = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lonely' }, spec: pod('lonely').spec };
    const path = file('mixed.yaml', [list, job, cron, bare].map((o) => JSON.stringify(o)).join('\n---\n'));
    const { code, stdout, stderr } = weft(['inject', path]);
    expect(code, stderr).toBe(0);
    const [l, j, c, p] = docs(stdout) as Loose[];
    expect(l.items[0].spec.template.metadata.annotations['weft.dev/inject']).toBe('enabled');
    expect(l.items[1].spec.template.metadata.annotations['weft.dev/inject']).toBe('enabled');
    expect(j.spec.template.metadata.annotations['weft.dev/inject']).toBe('enabled');
    expect(c.spec.jobTemplate.spec.template.metadata.annotations['weft.dev/inject']).toBe('enabled');
    expect(p.metadata.annotations['weft.dev/inject']).toBe('enabled');
    for (const line of [
      'statefulset "db" injected',
      'daemonset "agent" injected',
      'job "once" injected',
      'cronjob "nightly" injected',
      'pod "lonely" injected',
    ]) {
      expect(stderr).toContain(line);
    }
  });

  it('applies namespace config from the input’s Namespace object and from flags, flags first', () => {
    const input = readFileSync(EMOJIVOTO, 'utf8').replace(
      'weft.dev/inject: enabled',
      'weft.dev/inject: enabled\n    config.weft.dev/proxy-memory-limit: 96Mi\n    config.weft.dev/proxy-cpu-request: 20m',
    );
    const r = weft([
      'inject',
      '--manual',
      '--namespace-annotation',
      'config.weft.dev/proxy-cpu-request=30m',
      file('ns.yaml', input),
    ]);
    const proxy = byName(docs(r.stdout), 'Deployment', 'voting').spec.template.spec.initContainers[1];
    expect(proxy.resources).toEqual({ requests: { cpu: '30m', memory: '20Mi' }, limits: { memory: '96Mi' } });
    expect(weft(['inject', '--namespace-annotation', 'novalue', EMOJIVOTO]).stderr).toMatch(
      /expected KEY=VALUE.*WEFT_CLI_USAGE/,
    );
  });

  it('reads manifests from a URL, as in `weft inject https://…/emojivoto.yml`', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/emojivoto.yml') res.end(readFileSync(EMOJIVOTO));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const cli = join(ROOT, 'packages/cli/src/main.ts');
      const ok = await promisify(execFile)(process.execPath, [cli, 'inject', `${base}/emojivoto.yml`]);
      expect(byName(docs(ok.stdout), 'Deployment', 'web').spec.template.metadata.annotations).toEqual({
        'weft.dev/inject': 'enabled',
      });
      const missing = await promisify(execFile)(process.execPath, [cli, 'inject', `${base}/nope.yml`]).catch((e) => e);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/cannot fetch .*nope\.yml: HTTP 404 \(WEFT_CLI_READ_INPUT\)/);
    } finally {
      server.close();
    }
  });

  it('skips a workload that opts out, and says why', () => {
    const path = file(
      'disabled.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: legacy}\nspec:\n  template:\n    metadata:\n      annotations: {weft.dev/inject: disabled}\n    spec:\n      containers: [{name: app, image: x}]\n',
    );
    const { code, stdout, stderr } = weft(['inject', path]);
    expect(code).toBe(0);
    expect(stderr).toContain('deployment "legacy" skipped: pod has annotation weft.dev/inject: disabled');
    expect(docs(stdout)[0]?.spec.template.metadata.annotations).toEqual({ 'weft.dev/inject': 'disabled' });
  });

  it('fails with a code on bad YAML, a bad flag value or a missing file', () => {
    const bad = weft(['inject', file('bad.yaml', 'kind: Deployment\nmetadata: {name: [\n')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/WEFT_CLI_PARSE_INPUT/);
    const flag = weft(['inject', '--proxy-cpu-request', 'lots', EMOJIVOTO]);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/config\.weft\.dev\/proxy-cpu-request: "lots".*WEFT_CLI_INJECT/);
    const missing = weft(['inject', join(dir, 'nope.yaml')]);
    expect(missing.stderr).toMatch(/cannot read .*nope\.yaml.*WEFT_CLI_READ_INPUT/);
  });
});
