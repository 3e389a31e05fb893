import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { warnIgnoredAnnotations } from '../src/destination/annotation-warnings.ts';
import type { ControlPlaneError } from '../src/errors.ts';
import { LocalPlane } from './support/local-plane.ts';

// Circuit breaking from a Service's balancer.weft.dev annotations, through
// the local backend and a real GetProfile stream: what the callers' proxies
// are sent as the annotations are added, broken and removed.

const DEPLOY = new URL('../../../deploy/local/', import.meta.url).pathname;
const read = (path: string) => readFile(join(DEPLOY, path), 'utf8');

const service = (annotations: Record<string, string>) => `
apiVersion: v1
kind: Service
metadata:
  name: web-svc
  namespace: emojivoto
  annotations: ${JSON.stringify(annotations)}
spec:
  ports: [{ name: http, port: 80 }]
`;

const seconds = (s: number, nanos = 0) => ({ seconds: String(s), nanos });

describe('failure accrual in GetProfile', () => {
  let plane: LocalPlane;
  afterEach(() => plane?.stop());

  it('follows the example annotating voting-svc: sent while the file is there, gone once it is removed', async () => {
    plane = await new LocalPlane().start({ 'emojivoto.yaml': await read('resources/emojivoto.yaml') });
    const original = plane.store.state.get('Service', 'emojivoto', 'voting-svc');
    const profile = plane.profile('voting-svc.emojivoto:8080');
    expect((await profile.next()).failureAccrual).toBeNull();

    await plane.write('voting-breaker.yaml', await read('examples/voting-breaker.yaml'));
    const on = await profile.next();
    // No ServiceProfile or route exists for voting-svc: the profile is the default one plus the breaker.
    expect(on.routes).toEqual([]);
    expect(on.failureAccrual).toEqual({
      kind: 'consecutiveFailures',
      consecutiveFailures: {
        maxFailures: 5,
        backoff: { minBackoff: seconds(1), maxBackoff: seconds(10), jitterRatio: 0.5 },
      },
    });
    // The example redeclares the Service with its annotations as the only difference.
    const annotated = plane.store.state.get('Service', 'emojivoto', 'voting-svc');
    expect({ ...annotated, meta: { ...annotated?.meta, annotations: {} } }).toEqual(original);
    // Which file wins does not depend on the order they appeared in: emojivoto.yaml coming back leaves it be.
    await rm(join(plane.dir, 'emojivoto.yaml'));
    await plane.store.reload();
    await plane.write('emojivoto.yaml', await read('resources/emojivoto.yaml'));
    await plane.store.reload();
    expect(await profile.quiet(200)).toBe(true);

    await rm(join(plane.dir, 'voting-breaker.yaml'));
    expect((await profile.next()).failureAccrual).toBeNull();
    profile.cancel();
  });

  it('sends it alongside a ServiceProfile for the same service', async () => {
    const sp = `
apiVersion: weft.dev/v1alpha2
kind: ServiceProfile
metadata: { name: web-svc.emojivoto.svc.cluster.local, namespace: emojivoto }
spec:
  routes: [{ name: home, condition: { method: GET, pathRegex: / } }]
`;
    plane = await new LocalPlane().start({
      'svc.yaml': service({
        'balancer.weft.dev/failure-accrual': 'consecutive',
        'balancer.weft.dev/failure-accrual-consecutive-min-penalty': '250ms',
      }),
      'sp.yaml': sp,
    });
    const p = await plane.profile('web-svc.emojivoto:80').next();
    expect(p.routes.map((r) => r.metricsLabels)).toEqual([{ route: 'home' }]);
    expect(p.failureAccrual?.consecutiveFailures).toEqual({
      maxFailures: 7,
      backoff: { minBackoff: seconds(0, 250_000_000), maxBackoff: seconds(60), jitterRatio: 0.5 },
    });
  });

  it('ignores a bad annotation alone, with one warning naming the Service and the annotation', async () => {
    const on = { 'balancer.weft.dev/failure-accrual': 'consecutive' };
    plane = await new LocalPlane().start({ 'svc.yaml': service(on) });
    const warnings: ControlPlaneError[] = [];
    warnIgnoredAnnotations(plane.store, (w) => warnings.push(w));
    const profile = plane.profile('web-svc.emojivoto:80');
    expect((await profile.next()).failureAccrual?.consecutiveFailures?.maxFailures).toBe(7);
    expect(warnings).toEqual([]);

    await plane.write(
      'svc.yaml',
      service({
        ...on,
        'balancer.weft.dev/failure-accrual-consecutive-max-failures': 'many',
        'balancer.weft.dev/failure-accrual-consecutive-jitter-ratio': '0.25',
      }),
    );
    const bad = await profile.next();
    expect(bad.failureAccrual?.consecutiveFailures).toMatchObject({ maxFailures: 7, backoff: { jitterRatio: 0.25 } });
    expect(warnings.map((w) => [w.code, w.message, w.context])).toEqual([
      [
        'WEFT_CP_INVALID_ANNOTATION',
        'WEFT_CP_INVALID_ANNOTATION: Service emojivoto/web-svc: annotation ' +
          'balancer.weft.dev/failure-accrual-consecutive-max-failures: "many" ignored: ' +
          'expected a whole number from 1 to 4294967295; the default (7) applies',
        {
          service: 'emojivoto/web-svc',
          annotation: 'balancer.weft.dev/failure-accrual-consecutive-max-failures',
          value: 'many',
        },
      ],
    ]);

    // Other files changing do not repeat the warning; the Service changing again does, if still bad.
    await plane.write('other.yaml', service({}).replace('web-svc', 'emoji-svc'));
    expect(await profile.quiet(300)).toBe(true);
    expect(warnings).toHaveLength(1);

    // An unknown mode leaves the breaker off, and the stream goes on.
    await plane.write('svc.yaml', service({ 'balancer.weft.dev/failure-accrual': 'on' }));
    expect((await profile.next()).failureAccrual).toBeNull();
    expect(warnings[1]?.context).toMatchObject({ annotation: 'balancer.weft.dev/failure-accrual', value: 'on' });
    profile.cancel();
  });
});
