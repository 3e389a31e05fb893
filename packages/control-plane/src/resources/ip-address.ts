import { isIPv4, isIPv6 } from 'node:net';

/**
 * An IP address in one spelling, so that `fd00:0::12`, `FD00::12` and
 * `fd00::12` find the same Service; undefined for text that is not an address.
 * IPv4 is taken only in dotted-quad form (a URL parser would read `010.1.1.1`
 * as octal, which no Kubernetes address is). An IPv6 zone (`fe80::1%eth0`)
 * names an interface of one host, never a pod or Service: refused (and the
 * URL parser would throw on it).
 */
export function canonicalIp(text: string): string | undefined {
  if (isIPv4(text)) return text;
  if (!isIPv6(text) || text.includes('%')) return undefined;
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

/** 127.0.0.0/8 and ::1 (canonical): an address no single pod owns, where every local workload listens. */
export const isLoopback = (ip: string) => ip === '::1' || ip.startsWith('127.');
