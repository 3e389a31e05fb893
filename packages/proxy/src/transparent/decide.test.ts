import { describe, expect, it } from 'vitest';
import { EMPTY_PROFILE } from '../profile/profile.ts';
import type { EndpointMeta } from '../resolve/update.ts';
import { decide } from './decide.ts';

const pod: EndpointMeta = {
  key: '10.80.0.3:8080',
  host: '10.80.0.3',
  port: 8080,
  weight: 10_000,
  labels: {},
  tls: { name: 'emoji.emojivoto.serviceaccount.identity.weft.cluster.local', serverName: 'emoji' },
  opaque: false,
};

describe('what a redirected connection is, from its original destination profile', () => {
  it("is a Service's logical service, by name and the port the app dialed, when the address is its cluster IP", () => {
    const profile = { ...EMPTY_PROFILE, fqn: 'emoji-svc.emojivoto.svc.cluster.local' };
    expect(decide('10.96.0.12:8080', 8080, profile, true)).toEqual({
      kind: 'service',
      authority: 'emoji-svc.emojivoto.svc.cluster.local:8080',
      opaque: false,
    });
  });

  it("is opaque TCP over the Service's endpoints when its port is opaque", () => {
    const profile = { ...EMPTY_PROFILE, fqn: 'db.emojivoto.svc.cluster.local.', opaque: true };
    expect(decide('10.96.0.13:5432', 5432, profile, true)).toEqual({
      kind: 'service',
      authority: 'db.emojivoto.svc.cluster.local:5432',
      opaque: true,
    });
  });

  it("is that one pod, found by its address, when the address is a pod's IP; opaque when the pod says so", () => {
    const profile = { ...EMPTY_PROFILE, endpoint: pod };
    expect(decide(pod.key, 8080, profile, true)).toEqual({ kind: 'endpoint', authority: pod.key, opaque: false });
    const opaque = { ...EMPTY_PROFILE, opaque: true, endpoint: pod };
    expect(decide(pod.key, 8080, opaque, true)).toMatchObject({ kind: 'endpoint', opaque: true });
  });

  it('passes an address the mesh does not know through, whether the control plane says so or has no answer', () => {
    expect(decide('93.184.216.34:443', 443, EMPTY_PROFILE, true)).toEqual({ kind: 'passthrough' });
    expect(decide('93.184.216.34:443', 443, EMPTY_PROFILE, false)).toEqual({ kind: 'passthrough' });
  });
});
