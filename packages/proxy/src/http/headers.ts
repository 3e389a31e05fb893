// Header rules shared by both directions. HTTP/1 hop-by-hop headers belong to
// one connection and are never forwarded; everything else passes in its
// original case and order (rawHeaders), duplicates included.

export const CLIENT_ID_HEADER = 'weft-client-id';
export const PROXY_ERROR_HEADER = 'weft-proxy-error';
/**
 * The service a client proxy sent a request to (Linkerd's l5d-dst-canonical): the server side looks up
 * that service's profile for its route series even when the app named only an address.
 */
export const DST_CANONICAL_HEADER = 'weft-dst-canonical';

/**
 * Stands for every mesh header (`weft-*`) where a header name to strip is
 * expected: what the inbound side drops from a peer it has not authenticated,
 * and the outbound side from the app, so that only a proxy sets them.
 */
export const MESH_HEADERS = 'weft-*';

/**
 * Whether a lower-cased header name starts with `weft-` or `weft_`: node:http
 * keeps underscores as sent, and many app frameworks read `Weft_Client_Id` as
 * `weft-client-id`.
 */
export function isMeshHeader(name: string): boolean {
  const sep = name.charCodeAt(4);
  return (
    (sep === 45 /* - */ || sep === 95) /* _ */ &&
    name.charCodeAt(0) === 119 /* w */ &&
    name.charCodeAt(1) === 101 /* e */ &&
    name.charCodeAt(2) === 102 /* f */ &&
    name.charCodeAt(3) === 116 /* t */
  );
}

/** Whether a lower-cased header name is dropped by `strip`: MESH_HEADERS, or one name in either spelling. */
export function isStripped(name: string, strip: string | undefined): boolean {
  if (strip === undefined) return false;
  if (strip === MESH_HEADERS) return isMeshHeader(name);
  return name === strip || (name.length === strip.length && name.replaceAll('_', '-') === strip);
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'upgrade', 'http2-settings']);

/**
 * Copies `raw` (name, value, name, value, ...) without hop-by-hop headers,
 * without those `strip` names (isStripped), and with `add` appended. `keepUpgrade` keeps Connection and
 * Upgrade for protocol-switch requests.
 */
export function forwardRawHeaders(
  raw: readonly string[],
  strip: string | undefined,
  addName: string | undefined,
  addValue: string | undefined,
  keepUpgrade = false,
): string[] {
  let extraHop: Set<string> | undefined;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (name === 'connection') {
      for (const token of (raw[i + 1] as string).split(',')) {
        const t = token.trim().toLowerCase();
        if (t === '' || t === 'close' || t === 'keep-alive' || t === 'upgrade') continue;
        extraHop ??= new Set();
        extraHop.add(t);
      }
    }
  }
  for (let i = 0; i < raw.length; i += 2) {
    const original = raw[i] as string;
    const name = original.toLowerCase();
    if (HOP_BY_HOP.has(name)) {
      if (!(keepUpgrade && (name === 'upgrade' || name === 'connection'))) continue;
      if (name === 'connection') {
        out.push(original, 'upgrade');
        continue;
      }
    }
    if (isStripped(name, strip) || extraHop?.has(name)) continue;
    out.push(original, raw[i + 1] as string);
  }
  if (addName !== undefined && addValue !== undefined) out.push(addName, addValue);
  return out;
}

/** Trailers as [[name, value], ...] for addTrailers (which keeps duplicates), without those `strip` names. */
export function trailerPairs(raw: readonly string[], strip: string | undefined): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!isStripped(name.toLowerCase(), strip)) out.push([name, raw[i + 1] as string]);
  }
  return out;
}
