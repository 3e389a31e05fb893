import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseDocuments, REPO_ROOT } from '../src/yaml-documents.ts';
import { deployObjects, ofKind } from './deploy-objects.ts';

// The cluster's Prometheus must find the proxies the injector writes and label
// them as `weft stat --prometheus` reads them (the labels `weft dev`'s
// Prometheus gives). The injected pods come from `weft inject --manual`, as
// the webhook writes them.

interface Relabel {
  source_labels?: string[];
  action?: string;
  regex?: string;
  target_label?: string;
}
interface ScrapeConfig {
  job_name: string;
  relabel_configs?: Relabel[];
}

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'weft-viz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const configMap = deployObjects('viz').find((o) => o.kind === 'ConfigMap') as { data: Record<string, string> };
const text = configMap.data['prometheus.yml'] as string;
const [job] = (parse(text) as { scrape_configs: ScrapeConfig[] }).scrape_configs;
const local = parse(readFileSync(join(REPO_ROOT, 'deploy/local/prometheus.yml'), 'utf8')) as {
  scrape_configs: ScrapeConfig[];
};

/** A Kubernetes label as Prometheus's pod discovery names it: __meta_kubernetes_pod_label_<sanitized>. */
const metaLabel = (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;

describe('deploy/viz/prometheus.yaml', () => {
  it('holds a configuration promtool accepts, but for pod discovery', async () => {
    // Debian's Prometheus is built without Kubernetes discovery, so its promtool
    // refuses kubernetes_sd_configs; everything else (relabelling, regexes) it checks.
    const config = parse(text) as { scrape_configs: (ScrapeConfig & { kubernetes_sd_configs?: unknown })[] };
    for (const c of config.scrape_configs) {
      expect(c.kubernetes_sd_configs, c.job_name).toEqual([{ role: 'pod' }]);
      delete c.kubernetes_sd_configs;
    }
    const file = join(work, 'prometheus.yml');
    writeFileSync(file, stringify(config));
    const { stdout } = await run('promtool', ['check', 'config', file]);
    expect(stdout).toContain('SUCCESS');
  });

  it('keeps each injected proxy’s admin port and labels it namespace, pod and deployment, as weft dev’s Prometheus does', async () => {
    expect(job?.job_name).toBe(local.scrape_configs[0]?.job_name);
    const { stdout } = await run(
      process.execPath,
      [join(REPO_ROOT, 'packages/cli/src/main.ts'), 'inject', '--manual', 'deploy/emojivoto/emojivoto.yaml'],
      { cwd: REPO_ROOT },
    );
    const deployments = ofKind<V1Deployment>(
      parseDocuments(stdout, 'weft inject --manual').map((d) => d.object),
      'Deployment',
    );
    expect(deployments).toHaveLength(4);
    const [keep, ...labelling] = job?.relabel_configs ?? [];
    expect(keep?.action).toBe('keep');
    expect(labelling.map((r) => r.target_label)).toEqual(['namespace', 'pod', 'deployment']);
    for (const d of deployments) {
      const template = d.spec?.template;
      const labels = Object.fromEntries(
        Object.entries(template?.metadata?.labels ?? {}).map(([k, v]) => [metaLabel(k), v]),
      );
      const proxy = template?.spec?.initContainers?.find((c: V1Container) => c.name === 'weft-proxy');
      const meta: Record<string, string | undefined> = {
        ...labels,
        __meta_kubernetes_pod_container_name: proxy?.name,
        __meta_kubernetes_pod_container_port_name: proxy?.ports?.find((p) => p.name === 'weft-admin')?.name,
      };
      const joined = (keep?.source_labels ?? []).map((l) => meta[l] ?? '').join(';');
      expect(new RegExp(`^(?:${keep?.regex})$`).test(joined), `${d.metadata?.name}: ${joined}`).toBe(true);
      const deployment = labelling.find((r) => r.target_label === 'deployment')?.source_labels?.[0] ?? '';
      expect(meta[deployment], d.metadata?.name).toBe(d.metadata?.name);
    }
  });
});
