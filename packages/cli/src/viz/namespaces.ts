import { suggestions } from '@weft/control-plane/suggest';
import { CliError, CliErrorCode } from '../errors.ts';
import type { MetricsSource } from '../metrics/source.ts';

// An empty answer for a namespace the mesh has never seen is a typo far more
// often than a quiet namespace: say so, with the namespaces that are close,
// instead of "No traffic found." and exit 0.

/** Throws NOT_FOUND when `namespace` holds no meshed workload; an empty answer is then the user's typo, not quiet. */
export async function checkNamespace(source: MetricsSource, namespace: string | undefined): Promise<void> {
  if (namespace === undefined) return;
  const known = [...new Set((await source.pods()).map((p) => p.namespace))].sort();
  if (known.includes(namespace)) return;
  const close = suggestions(namespace, known);
  const hint =
    close.length > 0
      ? `; did you mean ${close.join(' or ')}?`
      : known.length > 0
        ? `; meshed namespaces: ${known.join(', ')}`
        : '';
  throw new CliError(CliErrorCode.NotFound, `no meshed workloads in namespace ${namespace}${hint}`);
}
