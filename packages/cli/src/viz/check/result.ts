// What `weft check` reports: named checks grouped in categories, each passed,
// failed (non-zero exit) or warned (shown, does not fail), with a hint that
// says what to do about it.

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  readonly description: string;
  readonly status: CheckStatus;
  /** Why it failed or warned, one line per item. */
  readonly details?: readonly string[];
  readonly hint?: string;
}

export interface CheckCategory {
  readonly name: string;
  /** Rows shown above the checks in the table output (weft dev's processes). */
  readonly table?: string;
  readonly checks: readonly CheckResult[];
}

export const ok = (description: string): CheckResult => ({ description, status: 'ok' });

export const fail = (description: string, hint: string, details?: readonly string[]): CheckResult => ({
  description,
  status: 'fail',
  hint,
  details,
});

export const warn = (description: string, hint: string, details?: readonly string[]): CheckResult => ({
  description,
  status: 'warn',
  hint,
  details,
});

const MARK: Record<CheckStatus, string> = { ok: '√', warn: '‼', fail: '×' };

export function renderChecks(categories: readonly CheckCategory[]): string {
  const out: string[] = [];
  for (const c of categories) {
    out.push(c.name, '-'.repeat(c.name.length));
    if (c.table) out.push(c.table.trimEnd(), '');
    for (const check of c.checks) {
      out.push(`${MARK[check.status]} ${check.description}`);
      for (const d of check.details ?? []) out.push(`    ${d}`);
      if (check.hint && check.status !== 'ok') out.push(`    hint: ${check.hint}`);
    }
    out.push('');
  }
  out.push(`Status check results are ${passed(categories) ? '√' : '×'}`);
  return `${out.join('\n')}\n`;
}

/** Linkerd's `check -o json` shape. */
export function checksJson(categories: readonly CheckCategory[]) {
  return {
    success: passed(categories),
    categories: categories.map((c) => ({
      categoryName: c.name,
      checks: c.checks.map((k) => ({
        description: k.description,
        hint: k.hint ?? '',
        error: (k.details ?? []).join('; '),
        result: k.status === 'ok' ? 'success' : k.status === 'warn' ? 'warning' : 'error',
      })),
    })),
  };
}

export function passed(categories: readonly CheckCategory[]): boolean {
  return categories.every((c) => c.checks.every((k) => k.status !== 'fail'));
}
