import { createHash, type KeyObject, randomBytes, sign } from 'node:crypto';
import {
  bitString,
  booleanTrue,
  children,
  decodeBitString,
  decodeOid,
  expectTag,
  explicit,
  implicitPrimitive,
  integer,
  octetString,
  oid,
  readOnly,
  sequence,
  set,
  TAG,
  time,
  tlv,
  utf8String,
} from '../asn1/der.ts';
import { OID } from '../asn1/oids.ts';

// Building and taking apart X.509 v3 certificates (RFC 5280), ECDSA-SHA256 only.

/** What goes into one certificate; names and the key are DER already. */
export interface CertificateTemplate {
  readonly serial: Buffer;
  readonly issuerName: Buffer;
  readonly subjectName: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subjectPublicKeyInfo: Buffer;
  readonly extensions: readonly Buffer[];
}

const ECDSA_SHA256 = sequence(oid(OID.ecdsaWithSha256));
const VERSION_3 = explicit(0, integer(2));

export function signCertificate(template: CertificateTemplate, issuerKey: KeyObject): Buffer {
  const tbs = sequence(
    VERSION_3,
    integer(template.serial),
    ECDSA_SHA256,
    template.issuerName,
    sequence(time(template.notBefore), time(template.notAfter)),
    template.subjectName,
    template.subjectPublicKeyInfo,
    explicit(3, sequence(...template.extensions)),
  );
  return sequence(tbs, ECDSA_SHA256, bitString(sign('sha256', tbs, issuerKey)));
}

/** A Name holding only a common name, as the mesh's certificates use. */
export const commonNameOnly = (cn: string): Buffer => sequence(set(sequence(oid(OID.commonName), utf8String(cn))));

/** 128 random bits, positive: unique across restarts and replicas, unlike a counter. */
export function randomSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01;
  return serial;
}

// === extensions ===

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), booleanTrue(), octetString(value)) : sequence(oid(id), octetString(value));
}

export function basicConstraints(ca: boolean, pathLength?: number): Buffer {
  const body = ca ? [booleanTrue(), ...(pathLength === undefined ? [] : [integer(pathLength)])] : [];
  return extension(OID.basicConstraints, true, sequence(...body));
}

// KeyUsage is a named BIT STRING; DER drops trailing zero bits, so the
// unused-bit count is written out per value.
export const keyUsageLeaf = (): Buffer => extension(OID.keyUsage, true, tlv(TAG.BIT_STRING, Buffer.from([0x05, 0xa0]))); // digitalSignature, keyEncipherment
export const keyUsageCa = (): Buffer => extension(OID.keyUsage, true, tlv(TAG.BIT_STRING, Buffer.from([0x01, 0x06]))); // keyCertSign, cRLSign

export const extKeyUsageServerClient = (): Buffer =>
  extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth), oid(OID.clientAuth)));

export const subjectAltNameDns = (name: string): Buffer =>
  extension(OID.subjectAltName, false, sequence(implicitPrimitive(2, Buffer.from(name, 'latin1'))));

export const subjectKeyIdentifier = (keyId: Buffer): Buffer =>
  extension(OID.subjectKeyIdentifier, false, octetString(keyId));

export const authorityKeyIdentifier = (keyId: Buffer): Buffer =>
  extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, keyId)));

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(subjectPublicKeyInfo: Buffer): Buffer {
  const [, keyBits] = children(readOnly(subjectPublicKeyInfo));
  return createHash('sha1')
    .update(decodeBitString(expectTag(keyBits, TAG.BIT_STRING, 'subjectPublicKey')))
    .digest();
}

// === reading ===

/** The parts of a certificate that node:crypto's X509Certificate does not expose raw. */
export interface CertificateParts {
  readonly subjectName: Buffer;
  readonly subjectPublicKeyInfo: Buffer;
  /** Extension values (the OCTET STRING contents) by OID. */
  readonly extensions: ReadonlyMap<string, Buffer>;
}

export function certificateParts(der: Buffer): CertificateParts {
  const [tbsNode] = children(readOnly(der));
  const tbs = children(expectTag(tbsNode, TAG.SEQUENCE, 'TBSCertificate'));
  const base = tbs[0]?.tag === 0xa0 ? 1 : 0;
  const subject = expectTag(tbs[base + 4], TAG.SEQUENCE, 'subject');
  const spki = expectTag(tbs[base + 5], TAG.SEQUENCE, 'subjectPublicKeyInfo');
  const extensions = new Map<string, Buffer>();
  const extWrapper = tbs.slice(base + 6).find((n) => n.tag === 0xa3);
  if (extWrapper) {
    const [list] = children(extWrapper);
    for (const ext of children(expectTag(list, TAG.SEQUENCE, 'Extensions'))) {
      const parts = children(ext);
      const value = parts[parts.length - 1];
      extensions.set(
        decodeOid(expectTag(parts[0], TAG.OID, 'extnID')),
        expectTag(value, TAG.OCTET_STRING, 'extnValue').content,
      );
    }
  }
  return { subjectName: subject.raw, subjectPublicKeyInfo: spki.raw, extensions };
}

/** The key identifier an issued certificate's AKI should carry: the issuer's SKI, or one computed like it. */
export function issuerKeyId(parts: CertificateParts): Buffer {
  const ski = parts.extensions.get(OID.subjectKeyIdentifier);
  if (ski) return readOnly(ski).content;
  return keyIdentifier(parts.subjectPublicKeyInfo);
}
