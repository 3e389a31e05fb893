import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPodResources, selects } from './pod-resources.ts';

// The resource folder as `weft dev --pods` reads it: Services with their
// selectors and ports, Deployments as runnable pods; what the control plane
// reads from the same files is not its business.

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function folder(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'weft-pod-resources-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const SHOP = `
apiVersion: v1
kind: Service
metadata: { name: orders, namespace: shop }
spec:
  selector: { app: orders }
  ports: [{ port: 80, targetPort: 8080 }, { port: 81, targetPort: metrics }, { port: 9000 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: orders, namespace: shop }
spec:
  template:
    metadata:
      labels: { app: orders, version: v2 }
      annotations: { config.weft.dev/opaque-ports: "9000" }
    spec:
      serviceAccountName: orders
      containers:
        - name: orders
          command: [node, orders.ts]
          args: [--fast]
          env: [{ name: PORT, value: "8080" }, { name: FROM_FIELD, valueFrom: { fieldRef: { fieldPath: metadata.name } } }]
          ports: [{ containerPort: 8080 }, { containerPort: 9000 }]
          readinessProbe: { httpGet: { path: /healthz, port: 8080 } }
---
apiVersion: weft.dev/v1alpha2
kind: ServiceProfile
metadata: { name: orders.shop.svc.cluster.local, namespace: shop }
spec: { routes: [] }
`;

describe('the pods runner reading the resource folder', () => {
  it("takes Services with their numeric target ports and Deployments as the pods' commands, probes and annotations", () => {
    const { services, deployments } = readPodResources(folder({ 'shop.yaml': SHOP, 'notes.txt': 'kind: Service' }));
    // A named targetPort names a container port, which pods mode does not look up.
    expect(services).toEqual([
      {
        name: 'orders',
        namespace: 'shop',
        selector: { app: 'orders' },
        ports: [
          { port: 80, targetPort: 8080 },
          { port: 9000, targetPort: 9000 },
        ],
      },
    ]);
    expect(deployments).toEqual([
      {
        name: 'orders',
        namespace: 'shop',
        labels: { app: 'orders', version: 'v2' },
        annotations: { 'config.weft.dev/opaque-ports': '9000' },
        serviceAccount: 'orders',
        argv: ['node', 'orders.ts', '--fast'],
        env: { PORT: '8080' },
        ports: [8080, 9000],
        probe: { kind: 'http', port: 8080, path: '/healthz' },
      },
    ]);
    expect(selects(services[0] as (typeof services)[0], 'shop', deployments[0]?.labels ?? {})).toBe(true);
    expect(selects(services[0] as (typeof services)[0], 'other', deployments[0]?.labels ?? {})).toBe(false);
  });

  it('refuses a Deployment it cannot run, naming the file: pods mode runs commands, not images', () => {
    const image = `apiVersion: apps/v1
kind: Deployment
metadata: { name: db }
spec: { template: { spec: { containers: [{ name: db, image: postgres }] } } }
`;
    expect(() => readPodResources(folder({ 'db.yml': image }))).toThrow(
      /db\.yml: Deployment db: its first container needs a command \(pods mode runs no images\)/,
    );
  });
});
