import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const FIXTURES = join(ROOT, 'packages/cli/src/profile/fixtures');

// The ServiceProfile CRD's own schema: what the API server would check on apply.
const crd = parseAllDocuments(readFileSync(join(ROOT, 'deploy/crds/serviceprofiles.yaml'), 'utf8'))[0]?.toJS();
const validate = new Ajv({ strict: false, allErrors: true }).compile(crd.spec.versions[0].schema.openAPIV3Schema);

function weft(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'packages/cli/src/main.ts'), ...args], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Route {
  name: string;
  condition: { method: string; pathRegex: string };
  responseClasses?: { condition: { status: { min: number; max: number } }; isFailure?: boolean }[];
  isRetryable?: boolean;
}

describe('weft profile --open-api on emojivoto web', () => {
  const { code, stdout, stderr } = weft([
    'profile',
    '--open-api',
    join(FIXTURES, 'web.swagger.json'),
    'web-svc',
    '-n',
    'emojivoto',
  ]);
  const profile = parse(stdout);

  it('prints a ServiceProfile named for the Service FQDN with one route per path and method', () => {
    expect(code, stderr).toBe(0);
    expect(profile.apiVersion).toBe('weft.dev/v1alpha2');
    expect(profile.metadata).toEqual({ name: 'web-svc.emojivoto.svc.cluster.local', namespace: 'emojivoto' });
    const routes: Route[] = profile.spec.routes;
    expect(routes.map((r) => r.name)).toEqual(['GET /api/list', 'GET /api/vote']);
    expect(routes[1]?.condition).toEqual({ method: 'GET', pathRegex: '/api/vote' });
  });

  it('classifies the declared 5xx responses as failures', () => {
    const vote: Route = profile.spec.routes[1];
    expect(vote.responseClasses).toEqual([
      { condition: { status: { min: 200, max: 200 } } },
      { condition: { status: { min: 400, max: 400 } } },
      { condition: { status: { min: 500, max: 500 } }, isFailure: true },
    ]);
  });

  it('validates against the ServiceProfile CRD', () => {
    expect(validate(profile), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('weft profile --proto on emojivoto Voting.proto', () => {
  const { code, stdout, stderr } = weft([
    'profile',
    '--proto',
    join(FIXTURES, 'Voting.proto'),
    'voting-svc',
    '-n',
    'emojivoto',
  ]);
  const profile = parse(stdout);
  const routes: Route[] = profile?.spec?.routes ?? [];

  it('prints one POST route per RPC with the gRPC path as an escaped regex', () => {
    expect(code, stderr).toBe(0);
    expect(profile.metadata.name).toBe('voting-svc.emojivoto.svc.cluster.local');
    expect(routes).toHaveLength(101);
    expect(routes.find((r) => r.name === 'VoteDoughnut')?.condition).toEqual({
      method: 'POST',
      pathRegex: '/emojivoto\\.v1\\.VotingService/VoteDoughnut',
    });
    expect(routes.filter((r) => r.name.startsWith('Vote'))).toHaveLength(100);
    expect(routes.map((r) => r.name)).toContain('Results');
  });

  it('matches the paths gRPC clients send, and only those', () => {
    const doughnut = new RegExp(`^${routes.find((r) => r.name === 'VoteDoughnut')?.condition.pathRegex}$`);
    expect(doughnut.test('/emojivoto.v1.VotingService/VoteDoughnut')).toBe(true);
    expect(doughnut.test('/emojivotoXv1.VotingService/VoteDoughnut')).toBe(false);
  });

  it('validates against the ServiceProfile CRD', () => {
    expect(validate(profile), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('the ServiceProfiles shipped in deploy/emojivoto/profiles', () => {
  const dir = join(ROOT, 'deploy/emojivoto/profiles');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    it(`${file} is what its recorded weft profile command prints today`, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const [header, ...body] = text.split('\n');
      const args = /^# Generated: weft (.+)$/.exec(header ?? '')?.[1]?.split(' ');
      expect(args, 'first line records the command').toBeDefined();
      const r = spawnSync(process.execPath, [join(ROOT, 'packages/cli/src/main.ts'), ...(args ?? [])], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(r.stdout).toBe(body.join('\n'));
    });
  }
});

describe('weft profile --template and usage errors', () => {
  it('prints a template that is itself a valid ServiceProfile', () => {
    const { code, stdout } = weft(['profile', '--template', 'web-svc', '-n', 'emojivoto']);
    expect(code).toBe(0);
    const profile = parse(stdout);
    expect(profile.metadata.name).toBe('web-svc.emojivoto.svc.cluster.local');
    expect(validate(profile), JSON.stringify(validate.errors)).toBe(true);
  });

  it('refuses two sources, a bad Service name and a missing file with codes', () => {
    const two = weft(['profile', '--template', '--proto', 'x.proto', 'web-svc']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('give exactly one of --template, --open-api or --proto (WEFT_CLI_USAGE)');
    expect(weft(['profile', '--template', 'Web_Svc']).stderr).toMatch(/"Web_Svc" is not a Service name/);
    expect(weft(['profile', '--proto', '/nonexistent.proto', 'x']).stderr).toMatch(/WEFT_CLI_READ_INPUT/);
  });
});
