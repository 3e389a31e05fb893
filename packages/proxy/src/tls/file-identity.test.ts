import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMeshCa, issueWorkloadCertificate } from '@weft/identity';
import { describe, expect, it } from 'vitest';
import { identityFromFiles } from './file-identity.ts';

describe('identityFromFiles', () => {
  it('serves the chain and key from files as the named identity', () => {
    const ca = createMeshCa();
    const name = 'web.emojivoto.serviceaccount.identity.weft-system.cluster.local';
    const issued = issueWorkloadCertificate(ca.issuer, name);
    const dir = mkdtempSync(join(tmpdir(), 'weft-id-'));
    try {
      writeFileSync(join(dir, 'cert.pem'), issued.certChainPem);
      writeFileSync(join(dir, 'key.pem'), issued.keyPem);
      const source = identityFromFiles(name, join(dir, 'cert.pem'), join(dir, 'key.pem'), ca.trustAnchorsPem);
      expect(source.identity).toBe(name);
      expect(source.current?.certChainPem).toBe(issued.certChainPem);
      expect(source.secureContext()).toBeDefined();
      writeFileSync(join(dir, 'empty.pem'), '');
      expect(() => identityFromFiles(name, join(dir, 'empty.pem'), join(dir, 'key.pem'), ca.trustAnchorsPem)).toThrow(
        /no certificate/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
