import type { Socket } from 'node:net';
import { loadOriginalDst, type OriginalDst, originalDstOf } from '@weft/original-dst';
import { log } from '../app/log.ts';

export type { OriginalDst } from '@weft/original-dst';

// Whether the addon loaded; undefined until the first lookup.
let available: boolean | undefined;

const unmapped = (address: string | undefined) => (address?.startsWith('::ffff:') ? address.slice(7) : address);

/**
 * Where an accepted connection was going before proxy-init's iptables rules
 * sent it to this listener; undefined when it came here directly (as in the
 * local upstream-port mode), or where the kernel cannot tell (not Linux, the
 * addon not built: said once at info level, and the proxy works as before).
 */
export function originalDst(socket: Socket): OriginalDst | undefined {
  if (available === undefined) {
    const support = loadOriginalDst();
    available = support.available;
    if (!support.available) log.info('original destinations unavailable', { reason: support.reason });
  }
  if (!available) return undefined;
  let dst: OriginalDst | undefined;
  try {
    dst = originalDstOf(socket);
  } catch (err) {
    // A socket that closed before it was looked at, or a namespace without connection tracking.
    log.debug('original destination lookup failed', { error: (err as Error).message });
    return undefined;
  }
  // Tracked but never rewritten: the kernel answers with the listener's own address.
  if (dst && dst.port === socket.localPort && dst.address === unmapped(socket.localAddress)) return undefined;
  return dst;
}
