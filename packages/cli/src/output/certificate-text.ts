import type { X509Certificate } from 'node:crypto';

// A certificate as `openssl x509 -text` summarises it (and `linkerd identity`
// prints it): serial, signature algorithm, issuer, validity,
// subject, public key, subject alternative names, then the PEM.

const names = (dn: string) => dn.split('\n').filter(Boolean).join(', ');

function serial(hex: string): string {
  const even = hex.length % 2 ? `0${hex}` : hex;
  return (even.toLowerCase().match(/../g) ?? []).join(':');
}

function publicKey(cert: X509Certificate): string[] {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    return ['Public Key Algorithm: id-ecPublicKey', `    ASN1 OID: ${details.namedCurve ?? 'unknown'}`];
  }
  if (key.asymmetricKeyType === 'rsa') {
    return ['Public Key Algorithm: rsaEncryption', `    Public-Key: (${details.modulusLength ?? '?'} bit)`];
  }
  return [`Public Key Algorithm: ${key.asymmetricKeyType ?? 'unknown'}`];
}

export function certificateText(cert: X509Certificate): string {
  const indent = (n: number, lines: string[]) => lines.map((l) => `${' '.repeat(n)}${l}`);
  const san = cert.subjectAltName;
  const lines = [
    'Certificate:',
    '    Data:',
    ...indent(8, [
      'Serial Number:',
      `    ${serial(cert.serialNumber)}`,
      `Signature Algorithm: ${cert.signatureAlgorithm ?? 'unknown'}`,
      `Issuer: ${names(cert.issuer)}`,
      'Validity',
      `    Not Before: ${cert.validFrom}`,
      `    Not After : ${cert.validTo}`,
      `Subject: ${names(cert.subject)}`,
      'Subject Public Key Info:',
      ...indent(4, publicKey(cert)),
      ...(san ? ['X509v3 extensions:', '    X509v3 Subject Alternative Name:', `        ${san}`] : []),
    ]),
  ];
  return `${lines.join('\n')}\n${cert.toString()}`;
}
