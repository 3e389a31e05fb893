import { existsSync, type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ERROR_CODES, IdentityError, identityError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { Issuer, type IssuerPem } from './issuer.ts';

// Where the identity service gets its issuer: a directory holding either
// `weft identity create`'s files (issuer.crt, issuer.key, ca.crt) or a
// kubernetes.io/tls Secret mounted as a volume (tls.crt, tls.key, ca.crt, as
// cert-manager writes it). The directory is watched: a valid replacement is
// taken for new leaves at once; an invalid one is logged and the old issuer kept.

export interface IssuerProvider {
  readonly current: Issuer | undefined;
  onChange(listener: (issuer: Issuer) => void): () => void;
}

export type ReloadResult =
  | { readonly ok: true; readonly issuer: Issuer }
  | { readonly ok: false; readonly error: Error };

export interface IssuerDirOptions extends IssuerFiles {
  readonly logger: Logger;
  /** Quiet period after a file event before reading, so a multi-file update is read whole. */
  readonly debounceMs?: number;
}

async function readFirst(dir: string, names: string[], what: string): Promise<string> {
  for (const name of names) {
    const path = join(dir, name);
    if (existsSync(path)) return readFile(path, 'utf8');
  }
  throw identityError(ERROR_CODES.INVALID_ISSUER, `${what}: none of ${names.join(', ')} in ${dir}`, { dir });
}

/** Where the issuer's files are; explicit file paths win over the names looked up in `dir`. */
export interface IssuerFiles {
  readonly dir: string;
  /** The anchors proxies trust; default `<dir>/ca.crt`. */
  readonly trustAnchorsFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

const readExplicit = (path: string, what: string): Promise<string> =>
  readFile(path, 'utf8').catch((err: Error) => {
    throw identityError(ERROR_CODES.INVALID_ISSUER, `${what}: cannot read ${path}: ${err.message}`, { path });
  });

export async function readIssuerDir(files: IssuerFiles): Promise<IssuerPem> {
  const { dir } = files;
  const [certPem, keyPem, trustAnchorsPem] = await Promise.all([
    files.certFile
      ? readExplicit(files.certFile, 'issuer certificate')
      : readFirst(dir, ['tls.crt', 'issuer.crt'], 'issuer certificate'),
    files.keyFile ? readExplicit(files.keyFile, 'issuer key') : readFirst(dir, ['tls.key', 'issuer.key'], 'issuer key'),
    files.trustAnchorsFile
      ? readExplicit(files.trustAnchorsFile, 'trust anchors')
      : readFirst(dir, ['ca.crt'], 'trust anchors'),
  ]);
  return { certPem, keyPem, trustAnchorsPem };
}

export class IssuerDirectory implements IssuerProvider {
  readonly #options: IssuerDirOptions;
  readonly #changeListeners = new Set<(issuer: Issuer) => void>();
  readonly #reloadListeners = new Set<(result: ReloadResult) => void>();
  readonly #watchers: FSWatcher[] = [];
  #current: Issuer | undefined;
  #debounce: NodeJS.Timeout | undefined;

  constructor(options: IssuerDirOptions) {
    this.#options = options;
  }

  get current(): Issuer | undefined {
    return this.#current;
  }

  onChange(listener: (issuer: Issuer) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** Every load attempt's outcome, valid or not (for tests and diagnostics). */
  onReload(listener: (result: ReloadResult) => void): () => void {
    this.#reloadListeners.add(listener);
    return () => this.#reloadListeners.delete(listener);
  }

  /** Reads and validates the files; keeps the previous issuer if they are unusable. */
  async load(): Promise<ReloadResult> {
    const { dir, logger } = this.#options;
    let result: ReloadResult;
    try {
      const issuer = Issuer.fromPem(await readIssuerDir(this.#options));
      const changed = issuer.certificate.fingerprint256 !== this.#current?.certificate.fingerprint256;
      this.#current = issuer;
      result = { ok: true, issuer };
      if (changed) {
        logger.log('info', 'loaded issuer', {
          dir,
          subject: issuer.certificate.subject.trim(),
          expiry: issuer.notAfter.toISOString(),
        });
        for (const listener of this.#changeListeners) listener(issuer);
      }
    } catch (err) {
      const error = err instanceof IdentityError ? err : identityError(ERROR_CODES.INVALID_ISSUER, String(err));
      logger.log('error', 'refused issuer; keeping the previous one', {
        dir,
        code: error.code,
        error: error.message,
        keeping: this.#current?.certificate.subject.trim() ?? 'none',
      });
      result = { ok: false, error };
    }
    for (const listener of this.#reloadListeners) listener(result);
    return result;
  }

  /** Watches the directory (and the anchors file's) for changes. */
  watch(): void {
    const { dir, trustAnchorsFile, certFile, keyFile } = this.#options;
    const dirs = new Set([
      dir,
      ...[trustAnchorsFile, certFile, keyFile].filter((f) => f !== undefined).map((f) => dirname(f)),
    ]);
    for (const dir of dirs) {
      const watcher = watch(dir, () => this.#scheduleLoad());
      watcher.on('error', (err) =>
        this.#options.logger.log('warn', 'issuer watch failed', { dir, error: err.message }),
      );
      this.#watchers.push(watcher);
    }
  }

  close(): void {
    for (const watcher of this.#watchers.splice(0)) watcher.close();
    clearTimeout(this.#debounce);
  }

  #scheduleLoad(): void {
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.load(), this.#options.debounceMs ?? 200);
  }
}

/** A provider holding one issuer (tests, benchmarks, in-process meshes). */
export function staticIssuer(issuer: Issuer | undefined): IssuerProvider {
  return { current: issuer, onChange: () => () => {} };
}
