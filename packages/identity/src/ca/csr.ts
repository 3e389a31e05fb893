import { type KeyObject, sign, verify } from 'node:crypto';
import {
  bitString,
  children,
  type DerNode,
  decodeBitString,
  decodeOid,
  expectTag,
  explicit,
  integer,
  oid,
  readOnly,
  sequence,
  set,
  TAG,
} from '../asn1/der.ts';
import { OID } from '../asn1/oids.ts';
import { ERROR_CODES, IdentityError, identityError } from '../errors.ts';
import { commonNameOnly, subjectAltNameDns } from './certificate.ts';
import { spkiDer } from './keys.ts';

// PKCS#10 certificate signing requests (RFC 2986): the client builds one for
// its in-process key; the service takes one apart and checks every rule
// before anything is signed.

export const MAX_CSR_BYTES = 4096;

const ECDSA_SHA256 = sequence(oid(OID.ecdsaWithSha256));

/** A DER CSR for `identity`: CN and the one DNS SAN both equal to it, signed by `privateKey`. */
export function createCsr(identity: string, privateKey: KeyObject): Buffer {
  const extensionRequest = sequence(oid(OID.extensionRequest), set(sequence(subjectAltNameDns(identity))));
  // `[0] IMPLICIT SET OF Attribute` holding one attribute encodes to the same
  // bytes as an explicit [0] around that attribute.
  const cri = sequence(integer(0), commonNameOnly(identity), spkiDer(privateKey), explicit(0, extensionRequest));
  return sequence(cri, ECDSA_SHA256, bitString(sign('sha256', cri, privateKey)));
}

/** What the service learns from a CSR whose signature verified. */
export interface ParsedCsr {
  readonly subjectPublicKeyInfo: Buffer;
  readonly commonName: string | undefined;
  readonly dnsNames: readonly string[];
  /** SANs of kinds the mesh never issues (email, URI, IP, ...), by GeneralName tag number. */
  readonly otherNameKinds: readonly number[];
}

const invalid = (message: string, context: Record<string, unknown> = {}) =>
  identityError(ERROR_CODES.INVALID_CSR, message, context);

function commonNameOf(name: DerNode): string | undefined {
  for (const rdn of children(expectTag(name, TAG.SEQUENCE, 'subject Name'))) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (type && value && decodeOid(type) === OID.commonName) return value.content.toString('utf8');
    }
  }
  return undefined;
}

function subjectAltNames(attributes: DerNode | undefined): { dnsNames: string[]; otherNameKinds: number[] } {
  const dnsNames: string[] = [];
  const otherNameKinds: number[] = [];
  for (const attribute of attributes ? children(attributes) : []) {
    const [type, values] = children(attribute);
    if (!type || !values || decodeOid(type) !== OID.extensionRequest) continue;
    for (const extensions of children(values)) {
      for (const ext of children(extensions)) {
        const parts = children(ext);
        const value = parts[parts.length - 1];
        if (!parts[0] || decodeOid(parts[0]) !== OID.subjectAltName || !value) continue;
        for (const generalName of children(readOnly(expectTag(value, TAG.OCTET_STRING, 'extnValue').content))) {
          if (generalName.tag === 0x82) dnsNames.push(generalName.content.toString('latin1'));
          else otherNameKinds.push(generalName.tag & 0x1f);
        }
      }
    }
  }
  return { dnsNames, otherNameKinds };
}

/** `<algorithm OID>/<curve OID>` of a SubjectPublicKeyInfo, read from its AlgorithmIdentifier. */
function keyAlgorithm(spki: DerNode): string {
  const [algorithm] = children(spki);
  const [id, parameters] = children(expectTag(algorithm, TAG.SEQUENCE, 'AlgorithmIdentifier'));
  const curve = parameters?.tag === TAG.OID ? decodeOid(parameters) : 'none';
  return `${decodeOid(expectTag(id, TAG.OID, 'algorithm'))}/${curve}`;
}

/** Parses a DER CSR and verifies its self-signature; any structural or cryptographic flaw is INVALID_CSR. */
export function parseCsr(der: Buffer): ParsedCsr {
  if (der.length === 0) throw invalid('CSR is empty');
  if (der.length > MAX_CSR_BYTES) throw invalid(`CSR is ${der.length} bytes, more than ${MAX_CSR_BYTES}`);
  try {
    const [info, algorithm, signature] = children(expectTag(readOnly(der), TAG.SEQUENCE, 'CertificationRequest'));
    const [version, subject, spki, attributes] = children(expectTag(info, TAG.SEQUENCE, 'CertificationRequestInfo'));
    if (expectTag(version, TAG.INTEGER, 'version').content.toString('hex') !== '00')
      throw invalid('CSR version is not 1');
    const spkiNode = expectTag(spki, TAG.SEQUENCE, 'subjectPublicKeyInfo');
    const keyType = keyAlgorithm(spkiNode);
    if (keyType !== `${OID.ecPublicKey}/${OID.prime256v1}`) throw invalid('CSR key is not ECDSA P-256', { keyType });
    const [algorithmId] = children(expectTag(algorithm, TAG.SEQUENCE, 'signatureAlgorithm'));
    if (!algorithmId || decodeOid(algorithmId) !== OID.ecdsaWithSha256)
      throw invalid('CSR is not signed with ECDSA-SHA256');
    const signatureBytes = decodeBitString(expectTag(signature, TAG.BIT_STRING, 'signature'));
    // The SPKI goes to verify as is: building a KeyObject first costs about
    // as much again as the verification (OpenSSL 3 key decoding).
    const publicKey = { key: spkiNode.raw, format: 'der', type: 'spki' } as const;
    if (!verify('sha256', (info as DerNode).raw, publicKey, signatureBytes)) {
      throw invalid('CSR signature does not verify');
    }
    if (attributes && attributes.tag !== 0xa0) throw invalid('CSR attributes are malformed');
    return {
      subjectPublicKeyInfo: spkiNode.raw,
      commonName: commonNameOf(subject as DerNode),
      ...subjectAltNames(attributes),
    };
  } catch (err) {
    if (err instanceof IdentityError && err.code === ERROR_CODES.INVALID_CSR) throw err;
    throw invalid(`CSR does not parse: ${(err as Error).message}`);
  }
}

/** The mesh's rules for what a CSR for `identity` may contain (Linkerd's, to the letter). */
export function checkCsrForIdentity(csr: ParsedCsr, identity: string): void {
  if (csr.otherNameKinds.length > 0) throw invalid('CSR carries SANs other than DNS names', { identity });
  if (csr.dnsNames.length !== 1) {
    throw invalid(`CSR must carry exactly one DNS SAN, it has ${csr.dnsNames.length}`, {
      identity,
      sans: csr.dnsNames,
    });
  }
  if (csr.dnsNames[0] !== identity) {
    throw invalid(`CSR DNS SAN ${csr.dnsNames[0]} differs from the requested identity ${identity}`, { identity });
  }
  if (csr.commonName !== undefined && csr.commonName !== '' && csr.commonName !== identity) {
    throw invalid(`CSR common name ${csr.commonName} differs from the requested identity`, { identity });
  }
}
