import { cpError, ErrorCode } from '../errors.ts';
import { canonicalIp } from '../resources/ip-address.ts';

/** A Service port named by a Get/GetProfile path. */
export interface ServiceTarget {
  namespace: string;
  service: string;
  port: number;
  /** `<svc>.<ns>.svc.<cluster-domain>`, without the port. */
  fqdn: string;
}

/**
 * An `IP:port` path: the original destination of an intercepted connection.
 * What it names (a Service's cluster IP, a pod, nothing) is looked up in the
 * store on every change, since an address can change hands.
 */
export interface AddressTarget {
  /** Canonical (see canonicalIp). */
  ip: string;
  port: number;
}

export const isAddressTarget = (t: ServiceTarget | AddressTarget): t is AddressTarget => 'ip' in t;

/** One key per thing asked for: `ns/svc:port`, or `ip|port` (an IPv6 address has colons of its own). */
export const targetKey = (t: ServiceTarget | AddressTarget) =>
  isAddressTarget(t) ? `${t.ip}|${t.port}` : `${t.namespace}/${t.service}:${t.port}`;

/** Who is asking: the proxy's context token, JSON {"ns", "pod"} (or Linkerd's legacy `ns:<ns>`). */
export interface ClientContext {
  namespace: string;
  pod?: string;
}

export function parseContextToken(token: string): ClientContext {
  if (!token) return { namespace: 'default' };
  if (token.startsWith('ns:')) return { namespace: token.slice(3) || 'default' };
  try {
    const parsed = JSON.parse(token) as { ns?: unknown; pod?: unknown };
    return {
      namespace: typeof parsed.ns === 'string' && parsed.ns ? parsed.ns : 'default',
      pod: typeof parsed.pod === 'string' ? parsed.pod : undefined,
    };
  } catch {
    throw cpError(ErrorCode.InvalidWorkload, `context token is neither JSON {"ns","pod"} nor ns:<ns>`, { token });
  }
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Parses `name[:port]` into a Service port, or `IPv4[:port]` / `[IPv6][:port]`
 * into an address. Accepted names: `<svc>.<ns>.svc.<domain>`, `<svc>.<ns>.svc`,
 * and — for the local runtime, which has no cluster DNS search path —
 * `<svc>.<ns>` and `<svc>` (in the asking workload's namespace). The port
 * defaults to 80.
 */
export function parseAuthority(
  path: string,
  clusterDomain: string,
  context: ClientContext,
): ServiceTarget | AddressTarget {
  const invalid = (why: string): never => {
    throw cpError(ErrorCode.InvalidAuthority, `"${path}" ${why}`, { path });
  };
  const match = /^(\[[^\]]*\]|[^:[\]]+)(?::(\d+))?$/.exec(path.trim());
  if (!match) return invalid('is not name:port, IPv4:port or [IPv6]:port');
  const port = match[2] === undefined ? 80 : Number(match[2]);
  if (port < 1 || port > 65535) invalid('has a port outside 1-65535');
  const host = (match[1] as string).toLowerCase().replace(/\.$/, '');
  if (host.startsWith('[')) {
    const ip = canonicalIp(host.slice(1, -1));
    return ip?.includes(':') ? { ip, port } : invalid('has brackets around something that is not an IPv6 address');
  }
  if (/^[\d.]+$/.test(host)) {
    const ip = canonicalIp(host);
    return ip ? { ip, port } : invalid('is not a dotted-quad IPv4 address');
  }
  const domainSuffix = `.svc.${clusterDomain}`;
  let labels: string[];
  if (host.endsWith(domainSuffix)) labels = host.slice(0, -domainSuffix.length).split('.');
  else if (host.endsWith('.svc')) labels = host.slice(0, -4).split('.');
  else labels = host.split('.');
  if (labels.length === 1) labels.push(context.namespace);
  if (labels.length !== 2) invalid(`is not <svc>.<ns>.svc.${clusterDomain}, <svc>.<ns> or <svc>`);
  const [service, namespace] = labels as [string, string];
  if (!LABEL.test(service) || !LABEL.test(namespace)) invalid('has a name that is not a DNS label');
  return { service, namespace, port, fqdn: `${service}.${namespace}.svc.${clusterDomain}` };
}
