import { ERROR_CODES, identityError } from '../errors.ts';

export function toPem(der: Buffer, label: 'CERTIFICATE' | 'CERTIFICATE REQUEST'): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block with the given label, in file order, as DER. */
export function pemBlocks(text: string, label: string): Buffer[] {
  const out: Buffer[] = [];
  for (const match of text.matchAll(BLOCK)) {
    if (match[1] === label) out.push(Buffer.from((match[2] ?? '').replace(/\s+/g, ''), 'base64'));
  }
  return out;
}

/** Certificates in a PEM bundle; an empty bundle is an error because it always means a wrong file. */
export function certificatesFromPem(text: string, what: string): Buffer[] {
  const blocks = pemBlocks(text, 'CERTIFICATE');
  if (blocks.length === 0)
    throw identityError(ERROR_CODES.MALFORMED_PEM, `${what}: no CERTIFICATE block found`, { what });
  return blocks;
}
