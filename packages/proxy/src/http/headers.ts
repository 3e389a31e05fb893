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

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'upgrade', 'http2-settings']);

/**
 * Copies `raw` (name, value, name, value, ...) without hop-by-hop headers,
 * without `strip`, and with `add` appended. `keepUpgrade` keeps Connection and
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
    if (name === strip || extraHop?.has(name)) continue;
    out.push(original, raw[i + 1] as string);
  }
  if (addName !== undefined && addValue !== undefined) out.push(addName, addValue);
  return out;
}
