import type { Meta } from './types.ts';

export const OPAQUE_PORTS = 'config.weft.dev/opaque-ports';
export const DEFAULT_INBOUND_POLICY = 'config.weft.dev/default-inbound-policy';
export const CONTROL_PLANE_NS_LABEL = 'weft.dev/control-plane-ns';

/** Parses a port list such as "3306,4000-4100"; malformed parts are ignored rather than breaking discovery. */
export function portList(value: string | undefined): (port: number) => boolean {
  if (!value) return () => false;
  const ranges: [number, number][] = [];
  for (const part of value.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (m) ranges.push([Number(m[1]), Number(m[2] ?? m[1])]);
  }
  return (port) => ranges.some(([lo, hi]) => port >= lo && port <= hi);
}

export const isOpaquePort = (meta: Meta | undefined, port: number) => portList(meta?.annotations[OPAQUE_PORTS])(port);
