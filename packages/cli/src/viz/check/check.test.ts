import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type LocalStore, loadConfig, type RunningControlPlane, startControlPlane } from '@weft/control-plane';
import { identityName, issueWorkloadCertificate, staticCertificateSource } from '@weft/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ObservedMesh, startObservedMesh } from '../testing/observed-mesh.ts';
import { runCli } from '../testing/run-cli.ts';

// `weft check` against a real control plane, real CA files and a real proxy
// pair: all green when healthy; a stopped proxy or a broken resource file
// fails with a hint and exit code 1.

let m: ObservedMesh;
let cp: RunningControlPlane;
/** The CLI's own certificate, as `weft dev` writes it: the control plane answers mTLS clients only. */
let cliEnv: Record<string, string>;

beforeAll(async () => {
  m = await startObservedMesh();
  const resources = join(m.dir, 'resources');
  await mkdir(resources);
  // emoji-svc, whose endpoint (emoji's sidecar) is registered below.
  await writeFile(
    join(resources, 'emoji-svc.yaml'),
    'apiVersion: v1\nkind: Service\nmetadata: { name: emoji-svc, namespace: emojivoto }\nspec: { ports: [{ port: 8080 }] }\n',
  );
  const env: Record<string, string> = {
    WEFT_CP_BACKEND: 'local',
    WEFT_CP_RESOURCE_DIR: resources,
    WEFT_CP_LISTEN_ADDR: '127.0.0.1:0',
    WEFT_CP_ADMIN_ADDR: '127.0.0.1:0',
    WEFT_CP_NAMESPACE: 'weft-system',
    WEFT_CP_IDENTITY_TRUST_ANCHORS: m.mesh.ca.trustAnchorsPem,
    // Never dialed: the control plane is handed its certificate.
    WEFT_CP_IDENTITY_SVC_ADDR: '127.0.0.1:1',
  };
  const cfg = loadConfig((name) => env[name]);
  const own = issueWorkloadCertificate(m.mesh.ca.issuer, cfg.identity?.name ?? '');
  cp = await startControlPlane(cfg, undefined, staticCertificateSource(own));
  (cp.store as LocalStore).register({
    namespace: 'emojivoto',
    service: 'emoji-svc',
    pod: 'emoji-0',
    deployment: 'emoji',
    serviceAccount: 'emoji',
    ip: '127.0.0.1',
    port: m.mesh.inboundPort,
    servicePort: 0,
    meshed: true,
    inboundPort: m.mesh.inboundPort,
    opaque: false,
    labels: {},
    annotations: {},
  });
  const cli = issueWorkloadCertificate(
    m.mesh.ca.issuer,
    identityName('weft-cli', 'weft-system', { trustDomain: 'cluster.local', controlPlaneNamespace: 'weft-system' }),
  );
  await writeFile(join(m.dir, 'cli.crt'), cli.certChainPem);
  await writeFile(join(m.dir, 'cli.key'), cli.keyPem);
  cliEnv = { WEFT_TAP_CERT_FILE: join(m.dir, 'cli.crt'), WEFT_TAP_KEY_FILE: join(m.dir, 'cli.key') };
  const anchors = join(m.dir, 'ca.crt');
  const issuer = join(m.dir, 'issuer.crt');
  await writeFile(anchors, m.mesh.ca.trustAnchorsPem);
  await writeFile(issuer, m.mesh.ca.issuerCertificate.certPem);
  m.viz.setMesh({
    destinationAddr: `127.0.0.1:${cp.grpcPort}`,
    controlPlaneAdminAddr: `127.0.0.1:${cp.adminPort}`,
    trustAnchorsFile: anchors,
    issuerCertFile: issuer,
    resourcesDir: resources,
  });
});

afterAll(async () => {
  await cp?.close();
  await m?.close();
});

const check = (...args: string[]) => runCli(['check', ...args], { WEFT_API_ADDR: m.viz.address, ...cliEnv });

describe('weft check', () => {
  it('passes on a healthy local mesh, grouped like Linkerd', async () => {
    const { code, stdout } = await check();
    expect(stdout).toContain('weft-viz\n--------\n√ viz API is reachable\n');
    for (const line of [
      '√ destination API is reachable',
      '√ control plane is ready',
      '√ trust anchors are within their validity period',
      '√ issuer cert is issued by the trust anchor',
      '√ data plane proxies are ready',
      '√ data plane proxies certificates match CA',
      '√ resource files are valid',
    ]) {
      expect(stdout).toContain(`${line}\n`);
    }
    // No identity service was named: a warning, not a failure.
    expect(stdout).toContain('‼ identity API is reachable');
    expect(stdout).toMatch(/Status check results are √\n$/);
    expect(code).toBe(0);
  });

  it('fails with the file and a hint when a resource file is broken', async () => {
    const bad = join(m.dir, 'resources', 'broken.yaml');
    await writeFile(bad, 'kind: Service\nmetadata: [\n');
    const { code, stdout } = await check('-o', 'json');
    const json = JSON.parse(stdout);
    expect(json.success).toBe(false);
    const resources = json.categories.find((c: { categoryName: string }) => c.categoryName === 'weft-resources');
    expect(resources.checks[0]).toMatchObject({ result: 'error', hint: expect.stringContaining('fix these files') });
    expect(resources.checks[0].error).toContain('broken.yaml');
    expect(code).toBe(1);
    await rm(bad);
  });

  it('diagnoses proxy metrics, endpoints and policy as the control plane serves them', async () => {
    const env = { WEFT_API_ADDR: m.viz.address, ...cliEnv };
    const metrics = await runCli(['diagnostics', 'proxy-metrics', '-n', 'emojivoto', 'deploy/emoji'], env);
    expect(metrics.stdout).toMatch(/^#\n# POD emoji-0 \(1 of 1\)\n#\n# HELP request_total/);
    const authority = 'emoji-svc.emojivoto.svc.cluster.local:8080';
    const dest = `127.0.0.1:${cp.grpcPort}`;
    const eps = await runCli(['diagnostics', 'endpoints', '--destination-addr', dest, authority], env);
    expect(eps.stdout).toMatch(
      new RegExp(
        `^NAMESPACE\\s+IP\\s+PORT\\s+POD\\s+SERVICE\\nemojivoto\\s+127\\.0\\.0\\.1\\s+${m.mesh.inboundPort}\\s+emoji-0\\s+emoji-svc\\n$`,
      ),
    );
    const unknown = await runCli(
      ['diagnostics', 'endpoints', '--destination-addr', dest, 'nope.emojivoto.svc.cluster.local:80'],
      env,
    );
    expect(unknown.stderr).toContain('WEFT_CLI_NOT_FOUND');
    const policy = await runCli(['diagnostics', 'policy', '-n', 'emojivoto', 'po/emoji-0', '8080'], env);
    expect(policy.code).toBe(0);
    // No Server selects the pod: the control plane's default policy, as YAML.
    expect(policy.stdout).toMatch(/^labels:\n {2}group: ""\n {2}kind: default\n {2}name: all-unauthenticated$/m);
  });

  it('says the control plane needs the CLI’s certificate when it has none', async () => {
    const noCertificate = { WEFT_API_ADDR: m.viz.address, WEFT_TAP_CERT_FILE: join(m.dir, 'missing.crt') };
    const policy = await runCli(['diagnostics', 'policy', '-n', 'emojivoto', 'po/emoji-0', '8080'], noCertificate);
    expect(policy.code).not.toBe(0);
    expect(policy.stderr).toContain("the control plane answers mesh clients only, and the CLI's certificate");
    expect(policy.stderr).toContain('WEFT_CLI_CONTROL_PLANE');
    const { stdout } = await runCli(['check'], noCertificate);
    expect(stdout).toMatch(/× destination API is reachable\n {4}the control plane answers mesh clients only/);
  });

  it('fails with the pod and a hint when a proxy is down', async () => {
    await m.mesh.server.shutdown(100);
    await m.viz.scrapeNow();
    const { code, stdout } = await check();
    expect(stdout).toMatch(
      /× data plane proxies are ready\n {4}emojivoto\/emoji-0: 127\.0\.0\.1:\d+\/ready answered \S+\n {4}hint: /,
    );
    expect(stdout).toMatch(/× data plane proxies metrics are scraped\n {4}emojivoto\/emoji-0: /);
    expect(stdout).toMatch(/Status check results are ×\n$/);
    expect(code).toBe(1);
    // proxy-metrics falls back to the recorder's last scrape, and says so.
    const metrics = await runCli(['diagnostics', 'proxy-metrics', '-n', 'emojivoto', 'po/emoji-0'], {
      WEFT_API_ADDR: m.viz.address,
    });
    expect(metrics.stderr).toMatch(/^emoji-0: 127\.0\.0\.1:\d+\/metrics: .*; showing the last scrape\n$/);
    expect(metrics.stdout).toMatch(/^#\n# POD emoji-0 \(1 of 1\)\n#\n[\s\S]*\nproxy_build_info\{/);
  });

  it('fails the first check when no viz API answers', async () => {
    const { code, stdout } = await runCli(['check'], { WEFT_API_ADDR: '127.0.0.1:1' });
    expect(stdout).toMatch(/^weft-viz\n--------\n× viz API is reachable\n/);
    expect(code).toBe(1);
  });
});
