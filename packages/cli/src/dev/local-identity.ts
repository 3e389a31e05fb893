import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createLocalTokenKey,
  createMeshCa,
  type IdentityDomain,
  identityName,
  issueWorkloadCertificate,
  mintLocalToken,
  type WorkloadCertificate,
} from '@weft/identity';

// The local mesh's certificate authority, made fresh on every start: a trust
// anchor and an issuer as `weft identity create` writes them, and the key the
// identity service checks workload tokens with. Nothing here outlives a run
// in a way that matters: the next start replaces all of it.

/** The control-plane namespace and trust domain of every identity, as on a default cluster install. */
export const LOCAL_DOMAIN: IdentityDomain = { trustDomain: 'cluster.local', controlPlaneNamespace: 'weft-system' };

/** Who `weft tap` is: the only identity the sidecars' tap ports answer. */
export const CLI_IDENTITY = identityName('weft-cli', LOCAL_DOMAIN.controlPlaneNamespace, LOCAL_DOMAIN);

/** The control plane's ServiceAccount: its certificate names it, and sidecars expect that name. */
export const CONTROL_PLANE_SERVICE_ACCOUNT = 'weft-destination';
export const CONTROL_PLANE_IDENTITY = identityName(
  CONTROL_PLANE_SERVICE_ACCOUNT,
  LOCAL_DOMAIN.controlPlaneNamespace,
  LOCAL_DOMAIN,
);

/** Who the runner is to the control plane: the only identity allowed to register workloads. */
export const RUNNER_IDENTITY = identityName('weft-dev', LOCAL_DOMAIN.controlPlaneNamespace, LOCAL_DOMAIN);

// Tokens are minted for a week; the runner mints them again daily, so a
// laptop left running never sees a proxy refused at renewal.
const TOKEN_TTL_MS = 7 * 24 * 3600 * 1000;
const REMINT_EVERY_MS = 24 * 3600 * 1000;

export interface LocalIdentity {
  /** Where the identity service reads issuer.crt, issuer.key and ca.crt. */
  readonly issuerDir: string;
  readonly trustAnchorsFile: string;
  readonly issuerCertFile: string;
  readonly trustAnchorsPem: string;
  readonly tokenKeyFile: string;
  /**
   * Writes a token for `<sa>.<ns>` (mode 0600) and returns its path and identity
   * name; into `owner.dir`, owned by `owner.uid`, for a proxy running as another user.
   */
  tokenFor(
    serviceAccount: string,
    namespace: string,
    owner?: { readonly dir: string; readonly uid: number },
  ): Promise<{ file: string; identity: string }>;
  /**
   * Writes cli.crt and cli.key (0600) into `dir` (the viz state directory,
   * where `weft tap` looks): a certificate for CLI_IDENTITY, lasting a week.
   */
  writeCliCertificate(dir: string): Promise<void>;
  /**
   * A certificate for RUNNER_IDENTITY, made in this process and kept in its
   * memory (the runner registers workloads with it), lasting a week.
   */
  runnerCertificate(): WorkloadCertificate;
  /** Stops re-minting tokens. */
  close(): void;
}

export async function createLocalIdentity(dir: string): Promise<LocalIdentity> {
  const issuerDir = join(dir, 'identity');
  const tokensDir = join(dir, 'tokens');
  await rm(dir, { recursive: true, force: true });
  await mkdir(issuerDir, { recursive: true, mode: 0o700 });
  await mkdir(tokensDir, { recursive: true, mode: 0o700 });
  const ca = createMeshCa({ domain: LOCAL_DOMAIN });
  const anchor = ca.trustAnchor;
  const issuer = ca.issuerCertificate;
  const key = createLocalTokenKey();
  const files = {
    trustAnchorsFile: join(issuerDir, 'ca.crt'),
    issuerCertFile: join(issuerDir, 'issuer.crt'),
    tokenKeyFile: join(dir, 'token.key'),
  };
  // The anchor's key is not written: nothing local signs a second issuer.
  await writeFile(files.trustAnchorsFile, anchor.certPem, { mode: 0o644 });
  await writeFile(files.issuerCertFile, issuer.certPem, { mode: 0o644 });
  await writeFile(join(issuerDir, 'issuer.key'), issuer.keyPem, { mode: 0o600 });
  await writeFile(files.tokenKeyFile, key.toString('hex'), { mode: 0o600 });

  const minted = new Map<string, { identity: string; uid?: number }>();
  const writeToken = async (file: string, identity: string, uid?: number) => {
    await writeFile(file, mintLocalToken({ identity, key, ttlMs: TOKEN_TTL_MS }), { mode: 0o600 });
    // writeFile's mode applies only when it creates the file.
    await chmod(file, 0o600);
    if (uid !== undefined) await chown(file, uid, uid);
  };
  const remint = setInterval(() => {
    for (const [file, { identity, uid }] of minted) void writeToken(file, identity, uid);
  }, REMINT_EVERY_MS);
  remint.unref();

  return {
    issuerDir,
    ...files,
    trustAnchorsPem: anchor.certPem,
    async tokenFor(serviceAccount, namespace, owner) {
      const identity = identityName(serviceAccount, namespace, LOCAL_DOMAIN);
      const file = join(owner?.dir ?? tokensDir, `${namespace}-${serviceAccount}.token`);
      await writeToken(file, identity, owner?.uid);
      minted.set(file, { identity, uid: owner?.uid });
      return { file, identity };
    },
    async writeCliCertificate(target) {
      const cert = issueWorkloadCertificate(ca.issuer, CLI_IDENTITY, { lifetimeMs: TOKEN_TTL_MS });
      await mkdir(target, { recursive: true });
      await writeFile(join(target, 'cli.crt'), cert.certChainPem, { mode: 0o644 });
      await writeFile(join(target, 'cli.key'), cert.keyPem, { mode: 0o600 });
      await chmod(join(target, 'cli.key'), 0o600);
    },
    runnerCertificate: () => issueWorkloadCertificate(ca.issuer, RUNNER_IDENTITY, { lifetimeMs: TOKEN_TTL_MS }),
    close: () => clearInterval(remint),
  };
}
