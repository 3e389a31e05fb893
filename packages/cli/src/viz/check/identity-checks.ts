import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { MeshInfo } from '../workload.ts';
import { type CheckCategory, type CheckResult, fail, ok, warn } from './result.ts';

// The mesh's trust anchors and issuer, read from the files `weft dev` names:
// parseable, inside their validity, not about to expire, and chained.

const DAY_MS = 86_400_000;
/** Linkerd warns when an anchor or issuer has less than 60 days left. */
const RENEW_WITHIN_DAYS = 60;

export function splitPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

export async function identityChecks(mesh: MeshInfo, now = Date.now()): Promise<CheckCategory> {
  const name = 'weft-identity';
  if (!mesh.trustAnchorsFile || !mesh.issuerCertFile) {
    return {
      name,
      checks: [
        fail('certificate config is valid', 'weft dev must name the trust anchors and issuer files to the viz server'),
      ],
    };
  }
  let anchors: X509Certificate[];
  let issuer: X509Certificate | undefined;
  try {
    anchors = splitPem(await readFile(mesh.trustAnchorsFile, 'utf8'));
    issuer = splitPem(await readFile(mesh.issuerCertFile, 'utf8'))[0];
    if (anchors.length === 0 || !issuer) throw new Error('no PEM certificate in the file');
  } catch (err) {
    return {
      name,
      checks: [
        fail('certificate config is valid', 'recreate them with `weft identity create --dir DIR`', [
          `${mesh.trustAnchorsFile}, ${mesh.issuerCertFile}: ${(err as Error).message}`,
        ]),
      ],
    };
  }
  const checks: CheckResult[] = [ok('certificate config is valid')];
  checks.push(...validity('trust anchors', anchors, now));
  checks.push(...validity('issuer cert', [issuer], now));
  const signer = anchors.find((a) => issuer.checkIssued(a) && issuer.verify(a.publicKey));
  checks.push(
    signer
      ? ok('issuer cert is issued by the trust anchor')
      : fail(
          'issuer cert is issued by the trust anchor',
          'make a new issuer from the current anchor (`weft identity create`) or add its anchor to the bundle',
          [`issuer ${issuer.subject.trim()} is signed by ${issuer.issuer.trim()}`],
        ),
  );
  return { name, checks };
}

function validity(what: string, certs: X509Certificate[], now: number): CheckResult[] {
  const expired = certs.filter((c) => c.validToDate.getTime() <= now || c.validFromDate.getTime() > now);
  const soon = certs.filter((c) => c.validToDate.getTime() - now < RENEW_WITHIN_DAYS * DAY_MS);
  const describe = (c: X509Certificate) =>
    `${c.subject.trim()} valid ${c.validFromDate.toISOString()} to ${c.validToDate.toISOString()}`;
  const plural = certs.length > 1 || what.endsWith('s');
  const inPeriod = `${what} ${plural ? 'are within their' : 'is within its'} validity period`;
  const lasting = `${what} ${plural ? 'are' : 'is'} valid for at least ${RENEW_WITHIN_DAYS} days`;
  return [
    expired.length === 0
      ? ok(inPeriod)
      : fail(
          inPeriod,
          'rotate them: `weft identity create --dir DIR --force`, then restart `weft dev`',
          expired.map(describe),
        ),
    soon.length === 0 ? ok(lasting) : warn(lasting, 'plan their rotation before they expire', soon.map(describe)),
  ];
}
