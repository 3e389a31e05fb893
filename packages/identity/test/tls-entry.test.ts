import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// `@weft/identity/tls` is what the proxy's data path loads: it must stay free
// of the code that issues and fetches certificates (gRPC, the CA, ASN.1).
// A fresh Node process imports the entry by its package name with a resolve
// hook that records every module it loads.

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

const PROBE = `
import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    loaded.push(result.url);
    return result;
  },
});
await import(process.env.ENTRY);
console.log(JSON.stringify(loaded));
`;

async function modulesLoadedBy(entry: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', PROBE], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, ENTRY: entry },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as string[];
}

describe('the tls entry point', () => {
  it('loads only the TLS files, the error catalogue and the PEM helper: no gRPC, CA or client code', async () => {
    const files = (await modulesLoadedBy('@weft/identity/tls')).filter((url) => url.startsWith('file:'));
    const ours = files.map((url) => fileURLToPath(url).slice(PACKAGE_DIR.length));
    expect(ours.filter((path) => !/^src\/(tls\/[a-z-]+|errors|ca\/pem)\.ts$/.test(path))).toEqual([]);
    expect(ours).toContain('src/tls/tls-options.ts');
  });

  it('sees grpc-js when the whole package is imported, so the check above can fail', async () => {
    const files = await modulesLoadedBy('@weft/identity');
    expect(files.some((url) => url.includes('/@grpc/grpc-js/'))).toBe(true);
  });
});
