import { describe, expect, it } from 'vitest';
import { decodeJsonExport, decodeProtobufExport } from './decode.ts';
import { protobufFromJsonExport } from './encode.ts';

// A proxy's export, in OTLP's JSON mapping as the proxies send it.
const proxyExport = {
  resourceSpans: [
    {
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: 'web-proxy' } },
          { key: 'k8s.pod.name', value: { stringValue: 'web-5f7c' } },
        ],
      },
      scopeSpans: [
        {
          scope: { name: 'weft-proxy' },
          spans: [
            {
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: 'b7ad6b7169203331',
              parentSpanId: '00f067aa0ba902b7',
              name: '/emojivoto.v1.EmojiService/ListAll',
              kind: 3,
              startTimeUnixNano: '1764770000000000000',
              endTimeUnixNano: '1764770000004500000',
              attributes: [
                { key: 'http.status_code', value: { intValue: '200' } },
                { key: 'peer.identity', value: { stringValue: 'emoji' } },
              ],
              status: { code: 2, message: 'grpc-status 2' },
            },
          ],
        },
      ],
    },
  ],
};

describe('an OTLP JSON export as protobuf', () => {
  it('carries every field a collector reads: ids as bytes, times, kind, attributes, status, resource', () => {
    const bytes = protobufFromJsonExport(proxyExport);
    expect(decodeProtobufExport(bytes)).toEqual(decodeJsonExport(proxyExport));
    // Ids went over as their 16 and 8 bytes, not as text.
    expect(bytes.includes(Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex'))).toBe(true);
    expect(bytes.includes(Buffer.from('0af7651916cd43dd'))).toBe(false);
  });
});
