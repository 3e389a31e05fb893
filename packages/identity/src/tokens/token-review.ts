import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { type IdentityDomain, identityName, isDnsLabel } from '../ca/names.ts';
import { ERROR_CODES, identityError } from '../errors.ts';
import { MAX_TOKEN_BYTES, TOKEN_AUDIENCE, type TokenValidator } from './token-validator.ts';

// Kubernetes: the proxy presents its projected ServiceAccount token and the
// API server says whose it is (TokenReview, authentication.k8s.io/v1).

export interface TokenReviewOptions {
  /** https://host:port of the API server. */
  readonly apiServer: string;
  /** CA bundle that signs the API server's certificate. */
  readonly caPem: string;
  /** The identity service's own bearer token; read per review because kubelet rotates it. */
  readonly credentials: () => Promise<string>;
  readonly domain: IdentityDomain;
  readonly audience?: string;
  readonly timeoutMs?: number;
}

interface TokenReviewStatus {
  readonly authenticated?: boolean;
  readonly user?: { readonly username?: string };
  /** The audiences the token is valid for, of those asked about; an answer without ours proves nothing to us. */
  readonly audiences?: readonly string[];
  readonly error?: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Options from the in-cluster service account, as client-go's InClusterConfig finds them. */
export async function inClusterTokenReviewOptions(
  env: (name: string) => string | undefined,
  domain: IdentityDomain,
  dir = SERVICE_ACCOUNT_DIR,
): Promise<TokenReviewOptions> {
  const host = env('KUBERNETES_SERVICE_HOST');
  const port = env('KUBERNETES_SERVICE_PORT');
  if (!host || !port) {
    throw identityError(
      ERROR_CODES.INVALID_CONFIG,
      'token mode k8s needs KUBERNETES_SERVICE_HOST/PORT (not in a cluster?)',
    );
  }
  return {
    apiServer: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    caPem: await readFile(`${dir}/ca.crt`, 'utf8'),
    credentials: async () => (await readFile(`${dir}/token`, 'utf8')).trim(),
    domain,
  };
}

function post(options: TokenReviewOptions, body: string, bearer: string): Promise<{ status: number; body: string }> {
  const url = new URL('/apis/authentication.k8s.io/v1/tokenreviews', options.apiServer);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ca: options.caPem,
        timeout: options.timeoutMs ?? 10_000,
        headers: {
          authorization: `Bearer ${bearer}`,
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('TokenReview timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

async function review(options: TokenReviewOptions, token: string, audiences: string[]): Promise<TokenReviewStatus> {
  const body = JSON.stringify({
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenReview',
    spec: { token, audiences },
  });
  let res: { status: number; body: string };
  try {
    res = await post(options, body, await options.credentials());
  } catch (err) {
    throw identityError(
      ERROR_CODES.TOKEN_REVIEW_FAILED,
      `TokenReview request failed: ${(err as Error).message}`,
      {},
      err,
    );
  }
  if (res.status !== 200 && res.status !== 201) {
    throw identityError(ERROR_CODES.TOKEN_REVIEW_FAILED, `TokenReview answered HTTP ${res.status}`, {
      status: res.status,
      body: res.body.slice(0, 200),
    });
  }
  try {
    return (JSON.parse(res.body) as { status?: TokenReviewStatus }).status ?? {};
  } catch {
    throw identityError(ERROR_CODES.TOKEN_REVIEW_FAILED, 'TokenReview answer is not JSON');
  }
}

const refuse = (reason: string) =>
  identityError(ERROR_CODES.UNAUTHENTICATED, `ServiceAccount token ${reason}`, { reason });

/** The identity a `system:serviceaccount:<ns>:<sa>` username stands for. */
export function identityOfUsername(username: string | undefined, domain: IdentityDomain): string {
  const parts = (username ?? '').split(':');
  const [system, kind, namespace = '', serviceAccount = ''] = parts;
  if (parts.length !== 4 || system !== 'system' || kind !== 'serviceaccount') {
    throw refuse(`belongs to ${username ?? 'nobody'}, not a ServiceAccount`);
  }
  if (!isDnsLabel(namespace) || !isDnsLabel(serviceAccount))
    throw refuse(`names an invalid ServiceAccount ${username}`);
  return identityName(serviceAccount, namespace, domain);
}

export function tokenReviewValidator(options: TokenReviewOptions): TokenValidator {
  const audience = options.audience ?? TOKEN_AUDIENCE;
  return {
    kind: 'k8s',
    validate: async (tokenBytes) => {
      if (tokenBytes.length === 0) throw refuse('is missing');
      if (tokenBytes.length > MAX_TOKEN_BYTES) throw refuse('is too large');
      const token = tokenBytes.toString('utf8');
      // No retry without audiences (Linkerd's fallback for old API servers):
      // it would accept tokens minted for other audiences.
      const status = await review(options, token, [audience]);
      if (!status.authenticated) throw refuse(`was not authenticated${status.error ? `: ${status.error}` : ''}`);
      // An API server that ignored spec.audiences (or authenticated the token for its own
      // audience) answers without ours: such a token could be any pod's token for anything.
      if (!Array.isArray(status.audiences) || !status.audiences.includes(audience)) {
        throw refuse(
          `was authenticated for audiences ${JSON.stringify(status.audiences ?? [])}, which do not include ${audience}`,
        );
      }
      return identityOfUsername(status.user?.username, options.domain);
    },
  };
}
