import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsr } from '../src/ca/csr.ts';
import { createMeshCa, issueWorkloadCertificate } from '../src/ca/in-process.ts';
import { staticIssuer } from '../src/ca/issuer-source.ts';
import { generateP256KeyPair } from '../src/ca/keys.ts';
import { openCertifyChannel } from '../src/client/certify-rpc.ts';
import { silentLogger } from '../src/log.ts';
import { startIdentityServer } from '../src/server/identity-server.ts';
import {
  inClusterTokenReviewOptions,
  type TokenReviewOptions,
  tokenReviewValidator,
} from '../src/tokens/token-review.ts';
import { DOMAIN, EMOJI, WEB } from './support/identity-fixture.ts';

// A stand-in for the Kubernetes API server: a real HTTPS server on loopback
// answering TokenReviews from a table, since tests cannot start kube-apiserver.
const ACCOUNTS: Record<string, string> = {
  'web-token': 'system:serviceaccount:emojivoto:web',
  'admin-token': 'kubernetes-admin',
  // Valid, but the API server answers as one that ignores spec.audiences (or checks only its own).
  'api-audience-token': 'system:serviceaccount:emojivoto:web',
  'no-audience-token': 'system:serviceaccount:emojivoto:web',
};
/** The audiences the stand-in reports for a token it authenticates; undefined leaves the field out. */
const AUDIENCES: Record<string, string[] | undefined> = {
  'api-audience-token': ['https://kubernetes.default.svc.cluster.local'],
  'no-audience-token': undefined,
};
const SERVICE_TOKEN = 'identity-service-token';

describe('TokenReview against an API server', () => {
  const ca = createMeshCa();
  const serving = issueWorkloadCertificate(ca.issuer, 'localhost');
  const reviews: Array<{ authorization?: string; spec: { token: string; audiences: string[] } }> = [];
  let apiServer: Server;
  let options: TokenReviewOptions;
  let answer: 'table' | 'forbidden' = 'table';

  beforeAll(async () => {
    apiServer = createServer({ key: serving.keyPem, cert: serving.certChainPem }, (req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        if (
          req.method !== 'POST' ||
          req.url !== '/apis/authentication.k8s.io/v1/tokenreviews' ||
          answer === 'forbidden'
        ) {
          res.writeHead(403, { 'content-type': 'application/json' }).end('{"kind":"Status","reason":"Forbidden"}');
          return;
        }
        const review = JSON.parse(body);
        reviews.push({ authorization: req.headers.authorization, spec: review.spec });
        const username = review.spec.audiences?.includes('identity.weft.dev') ? ACCOUNTS[review.spec.token] : undefined;
        const audiences = review.spec.token in AUDIENCES ? AUDIENCES[review.spec.token] : review.spec.audiences;
        const statusBody = username
          ? { authenticated: true, user: { username }, audiences }
          : { authenticated: false, error: 'token is invalid or has the wrong audience' };
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ...review, status: statusBody }));
      });
    });
    apiServer.listen(0, '127.0.0.1');
    await once(apiServer, 'listening');
    options = {
      apiServer: `https://localhost:${(apiServer.address() as AddressInfo).port}`,
      caPem: ca.trustAnchorsPem,
      credentials: async () => SERVICE_TOKEN,
      domain: DOMAIN,
    };
  });
  afterAll(() => apiServer.close());

  it('maps an authenticated ServiceAccount token to its identity name, asking with our audience and credentials', async () => {
    await expect(tokenReviewValidator(options).validate(Buffer.from('web-token'))).resolves.toBe(WEB);
    expect(reviews.at(-1)).toEqual({
      authorization: `Bearer ${SERVICE_TOKEN}`,
      spec: { token: 'web-token', audiences: ['identity.weft.dev'] },
    });
  });

  it('refuses tokens the API server does not authenticate, and users that are not ServiceAccounts', async () => {
    const validator = tokenReviewValidator(options);
    await expect(validator.validate(Buffer.from('stolen'))).rejects.toThrow(/not authenticated: token is invalid/);
    await expect(validator.validate(Buffer.from('admin-token'))).rejects.toThrow(
      /belongs to kubernetes-admin, not a ServiceAccount/,
    );
    await expect(validator.validate(Buffer.alloc(0))).rejects.toMatchObject({ code: 'WEFT_IDENTITY_UNAUTHENTICATED' });
  });

  it('refuses an authenticated token whose answer does not name our audience', async () => {
    const validator = tokenReviewValidator(options);
    await expect(validator.validate(Buffer.from('api-audience-token'))).rejects.toMatchObject({
      code: 'WEFT_IDENTITY_UNAUTHENTICATED',
      message:
        'ServiceAccount token was authenticated for audiences ["https://kubernetes.default.svc.cluster.local"], which do not include identity.weft.dev',
    });
    await expect(validator.validate(Buffer.from('no-audience-token'))).rejects.toMatchObject({
      code: 'WEFT_IDENTITY_UNAUTHENTICATED',
      message: 'ServiceAccount token was authenticated for audiences [], which do not include identity.weft.dev',
    });
  });

  it('serves Certify with TokenReview: the right account gets its certificate, others are refused', async () => {
    const server = await startIdentityServer({
      listen: '127.0.0.1:0',
      issuers: staticIssuer(ca.issuer),
      tokens: tokenReviewValidator(options),
      domain: DOMAIN,
      logger: silentLogger,
    });
    const channel = openCertifyChannel({ ...server, trustAnchorsPem: ca.trustAnchorsPem });
    try {
      const { privateKey } = generateP256KeyPair();
      const ask = (identity: string) =>
        channel.certify(
          { identity, token: Buffer.from('web-token'), certificateSigningRequest: createCsr(identity, privateKey) },
          5_000,
        );
      await expect(ask(WEB)).resolves.toHaveProperty('leafCertificate');
      await expect(ask(EMOJI)).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
      answer = 'forbidden';
      // The API server refusing us is our problem, not the caller's: retryable.
      await expect(ask(WEB)).rejects.toMatchObject({
        code: status.UNAVAILABLE,
        details: /TokenReview answered HTTP 403/,
      });
    } finally {
      answer = 'table';
      channel.close();
      await server.close();
    }
  });

  it('finds the in-cluster API server and service-account files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-sa-'));
    try {
      await writeFile(join(dir, 'ca.crt'), ca.trustAnchorsPem);
      await writeFile(join(dir, 'token'), 'sa-token\n');
      const env: Record<string, string> = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
      const found = await inClusterTokenReviewOptions((n) => env[n], DOMAIN, dir);
      expect(found.apiServer).toBe('https://10.96.0.1:443');
      expect(await found.credentials()).toBe('sa-token');
      await expect(inClusterTokenReviewOptions(() => undefined, DOMAIN, dir)).rejects.toThrow(
        /KUBERNETES_SERVICE_HOST/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
