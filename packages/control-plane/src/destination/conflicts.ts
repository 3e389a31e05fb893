import type { ResourceState } from '../store/state.ts';
import type { ServiceTarget } from './authority.ts';
import { isCatchAll, isParent } from './route-translator.ts';

// Resources that are each valid but overlap, so one silently loses: a
// ServiceProfile and an HTTPRoute for the same Service (the profile wins, as
// in Linkerd), or two routes that each split all of a Service's traffic (the
// first by name wins). Each is worth a warning where the user looks: the
// control plane's log and `weft check`.

export interface ResourceConflict {
  /** The resources that lose, `Kind ns/name`. */
  readonly ignored: readonly string[];
  readonly message: string;
}

const id = (kind: string, ns: string, name: string) => `${kind} ${ns}/${name}`;

export function resourceConflicts(state: ResourceState, clusterDomain: string): ResourceConflict[] {
  const conflicts: ResourceConflict[] = [];
  for (const service of state.list('Service')) {
    const ns = service.meta.namespace;
    const fqdn = `${service.meta.name}.${ns}.svc.${clusterDomain}`;
    const profile = state.get('ServiceProfile', ns, fqdn);
    const seen = new Set<string>();
    for (const { port } of service.ports) {
      const target: ServiceTarget = { namespace: ns, service: service.meta.name, port, fqdn };
      const routes = [...state.list('HTTPRoute', ns), ...state.list('GRPCRoute', ns)]
        .filter((r) => isParent(r, target))
        .sort((a, b) => a.meta.name.localeCompare(b.meta.name));
      const at = `Service ${ns}/${service.meta.name}`;
      const add = (conflict: ResourceConflict) => {
        const key = conflict.message;
        if (!seen.has(key)) conflicts.push(conflict);
        seen.add(key);
      };
      if (profile && routes.length > 0 && (profile.routes.length > 0 || profile.dstOverrides.length > 0)) {
        const names = routes.map((r) => id(r.kind, ns, r.meta.name));
        add({
          ignored: names,
          message: `${id('ServiceProfile', ns, fqdn)} overrides ${names.join(', ')} on ${at}: a ServiceProfile's routes and split win over routes' (as in Linkerd), so their rules, faults and timeouts do nothing; remove one`,
        });
      }
      const splitting = routes.filter((r) => r.rules.some((rule) => isCatchAll(rule) && rule.backendRefs.length > 0));
      const [winner, ...losers] = splitting;
      if (winner && losers.length > 0) {
        add({
          ignored: losers.map((r) => id(r.kind, ns, r.meta.name)),
          message: `${[winner, ...losers].map((r) => id(r.kind, ns, r.meta.name)).join(' and ')} each split all of ${at}'s traffic: only ${winner.meta.name} (first by name) applies; replace one with the other`,
        });
      }
    }
  }
  return conflicts;
}
