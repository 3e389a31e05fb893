import { loadDestinationApi } from '@weft/api';
import { describe, expect, it } from 'vitest';
import { decodeUpdate, encodeGetDestination } from './proto.ts';

// The hand-written codec against protobufjs, the encoder grpc-js servers use.
const service = loadDestinationApi().weft.destination.Destination.service;
const encode = (update: object) => service.Get.responseSerialize(update as never);

describe('destination codec', () => {
  it('decodes an add with set and endpoint labels, identity and hints', () => {
    const buf = encode({
      add: {
        addrs: [
          {
            addr: { ip: '10.0.0.7', port: 4143 },
            weight: 5000,
            metricLabels: { pod: 'emoji-0' },
            tlsIdentity: { name: 'emoji.emojivoto.serviceaccount.identity.weft-system.cluster.local', serverName: '' },
            protocolHint: { h2: {}, inboundPort: 4143 },
          },
          { addr: { ip: '::1', port: 8080 }, protocolHint: { opaque: {} } },
        ],
        metricLabels: { namespace: 'emojivoto', service: 'emoji-svc' },
      },
    });
    expect(decodeUpdate(buf, false)).toEqual({
      kind: 'add',
      endpoints: [
        {
          key: '10.0.0.7:4143',
          host: '10.0.0.7',
          port: 4143,
          weight: 5000,
          labels: { dst_namespace: 'emojivoto', dst_service: 'emoji-svc', dst_pod: 'emoji-0' },
          tls: {
            name: 'emoji.emojivoto.serviceaccount.identity.weft-system.cluster.local',
            serverName: 'emoji.emojivoto.serviceaccount.identity.weft-system.cluster.local',
          },
          opaque: false,
        },
        {
          key: '[::1]:8080',
          host: '::1',
          port: 8080,
          weight: 10_000,
          labels: { dst_namespace: 'emojivoto', dst_service: 'emoji-svc' },
          tls: undefined,
          opaque: true,
        },
      ],
    });
  });

  it('treats the first answer of a stream as the whole set', () => {
    const buf = encode({ add: { addrs: [{ addr: { ip: '10.0.0.1', port: 80 } }] } });
    expect(decodeUpdate(buf, true)?.kind).toBe('reset');
  });

  it('decodes removals and no-endpoints', () => {
    expect(decodeUpdate(encode({ remove: { addrs: [{ ip: '10.0.0.7', port: 4143 }] } }), false)).toEqual({
      kind: 'remove',
      keys: ['10.0.0.7:4143'],
    });
    expect(decodeUpdate(encode({ noEndpoints: { exists: true } }), false)).toEqual({ kind: 'reset', endpoints: [] });
    expect(decodeUpdate(encode({ noEndpoints: { exists: false } }), false)).toEqual({ kind: 'doesNotExist' });
  });

  it('encodes a request protobufjs reads back', () => {
    const decoded = service.Get.requestDeserialize(
      encodeGetDestination('local', 'web-svc.emojivoto.svc.cluster.local:80', '{"ns":"x"}'),
    );
    expect(decoded).toMatchObject({
      scheme: 'local',
      path: 'web-svc.emojivoto.svc.cluster.local:80',
      contextToken: '{"ns":"x"}',
    });
  });

  it('refuses truncated input with an error, not a crash', () => {
    const buf = encode({ add: { addrs: [{ addr: { ip: '10.0.0.1', port: 80 } }] } });
    expect(() => decodeUpdate(buf.subarray(0, buf.length - 3), false)).toThrow();
  });
});
