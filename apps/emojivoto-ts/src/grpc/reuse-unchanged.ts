/**
 * Wraps a message decoder so that a message whose bytes equal the previous
 * one's gives back the previously decoded value instead of decoding again.
 * web calls ListAll on every /api/list and the answer is almost always the
 * same 99 emojis: comparing ~1.5 KB is far cheaper than decoding 99 messages
 * and then re-encoding them as JSON. The call itself still happens every
 * time, so the traffic a mesh sees is unchanged. The value is shared between
 * callers and must be treated as read-only.
 */
export function reuseUnchanged<T>(decode: (bytes: Buffer) => T): (bytes: Buffer) => T {
  let lastBytes: Buffer | undefined;
  let lastValue: T | undefined;
  return (bytes) => {
    if (lastBytes?.equals(bytes)) return lastValue as T;
    const value = decode(bytes);
    lastBytes = Buffer.from(bytes);
    lastValue = value;
    return value;
  };
}
