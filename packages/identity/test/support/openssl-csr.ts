import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A DER CSR made by the openssl CLI, an independent encoder, with the given key algorithm and SANs. */
export async function opensslCsr(options: { keyAlgorithm: string[]; cn: string; san?: string }): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-csr-'));
  try {
    const key = join(dir, 'key.pem');
    const csr = join(dir, 'csr.der');
    await run('openssl', ['genpkey', ...options.keyAlgorithm, '-out', key]);
    const san = options.san ? ['-addext', `subjectAltName=${options.san}`] : [];
    await run('openssl', [
      'req',
      '-new',
      '-key',
      key,
      '-subj',
      `/CN=${options.cn}`,
      ...san,
      '-outform',
      'DER',
      '-out',
      csr,
    ]);
    return await readFile(csr);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const P256 = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
export const P384 = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'];
export const RSA2048 = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
