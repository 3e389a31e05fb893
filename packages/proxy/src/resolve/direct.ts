import { endpointKey, type Resolver, type UpdateListener } from './update.ts';

// Without a control plane, an authority resolves to itself: one unmeshed
// endpoint at host:port, reached in plaintext.

export const directResolver: Resolver = {
  resolve(authority: string, listener: UpdateListener): () => void {
    const colon = authority.lastIndexOf(':');
    const host = authority.slice(0, colon).replace(/^\[|\]$/g, '');
    const port = Number(authority.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
      listener({ kind: 'doesNotExist' });
      return () => {};
    }
    listener({
      kind: 'reset',
      endpoints: [{ key: endpointKey(host, port), host, port, weight: 1, labels: {}, tls: undefined, opaque: false }],
    });
    return () => {};
  },
};
