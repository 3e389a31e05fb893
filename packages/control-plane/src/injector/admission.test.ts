import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { review } from './admission.ts';
import { DEFAULT_INJECTOR_CONFIG } from './config.ts';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/web-pod-review.json', import.meta.url), 'utf8'));
const enabled = async () => ({ 'weft.dev/inject': 'enabled' });

// Deterministic so a failure can be replayed.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
}

const GARBAGE: unknown[] = [
  null,
  0,
  -1,
  0.5,
  Number.MAX_VALUE,
  '',
  'x'.repeat(10_000),
  [],
  [null],
  {},
  { name: 7 },
  true,
  [[[]]],
  '__proto__',
];

/** Every path into the review's pod, so each field gets a turn at being wrong. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function setAt(root: Record<string, unknown>, path: (string | number)[], value: unknown) {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}

describe('review with a malformed pod', () => {
  it('always admits, never throws, whatever field of the pod is replaced by garbage', async () => {
    const next = rng(42);
    const all = paths(fixture.request.object).filter((p) => p.length > 0);
    for (let i = 0; i < 400; i++) {
      const body = structuredClone(fixture);
      setAt(body.request.object, all[next() % all.length] as (string | number)[], GARBAGE[next() % GARBAGE.length]);
      const res = (await review(body, DEFAULT_INJECTOR_CONFIG, enabled)).body;
      expect(res.response.allowed).toBe(true);
      expect(res.response.uid).toBe(fixture.request.uid);
      if (res.response.patch)
        expect(() => JSON.parse(Buffer.from(res.response.patch ?? '', 'base64').toString())).not.toThrow();
    }
  });

  it('admits without a patch when the namespace lookup itself throws synchronously', async () => {
    const { body: res, outcome } = await review(fixture, DEFAULT_INJECTOR_CONFIG, () => {
      throw new Error('boom');
    });
    expect(outcome).toEqual({ namespace: 'emojivoto', injected: false, reason: 'injection-not-enabled' });
    expect(res.response.allowed).toBe(true);
    expect(res.response.warnings?.[0]).toMatch(/WEFT_CP_INJECT_NAMESPACE_LOOKUP.*boom/);
  });
});
