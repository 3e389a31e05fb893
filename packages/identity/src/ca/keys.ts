import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ERROR_CODES, identityError } from '../errors.ts';

/** A fresh ECDSA P-256 key pair: the only key type the mesh issues for. */
export function generateP256KeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

export function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

/** PKCS#8 PEM, the form node:tls takes in `key`. */
export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function spkiDer(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

/** Parses a PEM private key (PKCS#8 or SEC1) and insists on P-256. */
export function parseP256PrivateKey(pem: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw identityError(ERROR_CODES.MALFORMED_PEM, `${what}: not a readable private key`, { what }, err);
  }
  if (!isP256(key)) throw identityError(ERROR_CODES.INVALID_ISSUER, `${what}: key is not ECDSA P-256`, { what });
  return key;
}
