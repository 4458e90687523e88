/**
 * A fake GitHub Actions OIDC issuer: the token endpoint a runner exposes as
 * ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN (what
 * @actions/core's getIDToken() calls), issuing RS256 JWTs with GitHub's claim
 * set, plus the issuer's JWKS for the AWS simulator's STS to trust.
 */
import {
  createHash,
  generateKeyPair,
  randomBytes,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface OidcIssuerOptions {
  /** `owner/name`; org/app when absent. */
  repository?: string;
  ref?: string;
  sha?: string;
  /** The job's environment: it becomes part of the default subject, as on GitHub. */
  environment?: string;
  eventName?: string;
  actor?: string;
  workflow?: string;
  /** Path of the workflow file, for workflow_ref / job_workflow_ref. */
  workflowPath?: string;
  runId?: string;
  runAttempt?: string;
  /** Replaces the subject GitHub would derive (e.g. a customised OIDC subject template). */
  subject?: string;
  /** Claims added to (or, when undefined, removed from) every token. */
  claims?: Record<string, unknown>;
  /** The bearer token the endpoint expects; random when absent. */
  requestToken?: string;
  /** exp - iat; 300 when absent. */
  tokenLifetimeSeconds?: number;
  now?: () => Date;
}

export interface Jwks {
  keys: Record<string, string>[];
}

export interface TokenRequest {
  /** The `audience` query parameter, if any. */
  audience: string | undefined;
  authorized: boolean;
  status: number;
  time: Date;
}

export interface OidcIssuer {
  /** For ACTIONS_ID_TOKEN_REQUEST_URL; carries a query string, since getIDToken() appends `&audience=`. */
  requestUrl: string;
  /** For ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken: string;
  /** The `iss` claim. */
  issuer: string;
  jwks: Jwks;
  jwksUrl: string;
  /** Every request to the token endpoint, authorized or not. */
  readonly requests: readonly TokenRequest[];
  /** Tokens handed out through the endpoint. */
  readonly tokensIssued: number;
  /** Signs a token directly; `claimsOverride` values that are undefined remove the claim. */
  issue(claimsOverride?: Record<string, unknown>, audience?: string): string;
  /** The next `count` token requests fail with `status` (default 500), as a flaky runner service. */
  failNextRequests(count: number, status?: number): void;
  close(): Promise<void>;
}

const generateRsaKeyPair = promisify(generateKeyPair);

export async function startOidcIssuer(options: OidcIssuerOptions = {}): Promise<OidcIssuer> {
  const { privateKey, publicKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
  const publicJwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const kid = jwkThumbprint(publicJwk);
  const jwks: Jwks = { keys: [{ ...publicJwk, kid, alg: 'RS256', use: 'sig' }] };
  const requestToken = options.requestToken ?? randomBytes(24).toString('hex');
  const now = options.now ?? (() => new Date());
  const requests: TokenRequest[] = [];
  let tokensIssued = 0;
  let failures: { remaining: number; status: number } = { remaining: 0, status: 500 };

  const issue = (claimsOverride: Record<string, unknown> = {}, audience?: string): string => {
    const claims = {
      ...githubClaims(options, audience, now()),
      ...options.claims,
      ...claimsOverride,
    };
    return signJwt(withoutUndefined(claims), privateKey, kid);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/token') {
      handleTokenRequest(req, res, url);
    } else if (url.pathname === '/.well-known/jwks') {
      sendJson(res, 200, jwks);
    } else if (url.pathname === '/.well-known/openid-configuration') {
      sendJson(res, 200, openIdConfiguration(jwksUrl));
    } else {
      sendJson(res, 404, { message: 'Not Found' });
    }
  });

  function handleTokenRequest(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const audience = url.searchParams.get('audience') ?? undefined;
    const authorized = req.headers.authorization === `Bearer ${requestToken}`;
    const record = (status: number) =>
      requests.push({ audience, authorized, status, time: new Date() });
    if (!authorized) {
      record(401);
      sendJson(res, 401, { message: 'Unauthorized' });
    } else if (failures.remaining > 0) {
      failures.remaining--;
      record(failures.status);
      sendJson(res, failures.status, { message: 'Simulated failure' });
    } else {
      record(200);
      tokensIssued++;
      sendJson(res, 200, { value: issue({}, audience) });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const jwksUrl = `${base}/.well-known/jwks`;

  return {
    requestUrl: `${base}/token?api-version=2.0`,
    requestToken,
    issuer: GITHUB_ISSUER,
    jwks,
    jwksUrl,
    requests,
    get tokensIssued() {
      return tokensIssued;
    },
    issue,
    failNextRequests(count, status = 500) {
      failures = { remaining: count, status };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The claims GitHub puts in an Actions OIDC token; see "About security
 * hardening with OpenID Connect" in GitHub's docs. Without an `audience`
 * GitHub uses the repository owner's URL.
 */
function githubClaims(
  options: OidcIssuerOptions,
  audience: string | undefined,
  now: Date,
): Record<string, unknown> {
  const repository = options.repository ?? 'org/app';
  const owner = repository.split('/')[0] ?? repository;
  const ref = options.ref ?? 'refs/heads/main';
  const sha = options.sha ?? '0123456789abcdef0123456789abcdef01234567';
  const eventName = options.eventName ?? 'push';
  const workflowRef = `${repository}/${options.workflowPath ?? '.github/workflows/deploy.yml'}@${ref}`;
  const iat = Math.floor(now.getTime() / 1000);
  return {
    jti: randomUUID(),
    sub: options.subject ?? defaultSubject(repository, ref, eventName, options.environment),
    aud: audience ?? `https://github.com/${owner}`,
    ref,
    sha,
    repository,
    repository_owner: owner,
    repository_visibility: 'private',
    run_id: options.runId ?? '4242',
    run_number: '1',
    run_attempt: options.runAttempt ?? '1',
    actor: options.actor ?? 'octocat',
    workflow: options.workflow ?? 'deploy',
    head_ref: '',
    base_ref: '',
    event_name: eventName,
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    ...(options.environment === undefined ? {} : { environment: options.environment }),
    workflow_ref: workflowRef,
    workflow_sha: sha,
    job_workflow_ref: workflowRef,
    job_workflow_sha: sha,
    runner_environment: 'github-hosted',
    iss: GITHUB_ISSUER,
    nbf: iat - 5,
    iat,
    exp: iat + (options.tokenLifetimeSeconds ?? 300),
  };
}

/** GitHub's default subject: environment first, then pull request, then the ref. */
function defaultSubject(
  repository: string,
  ref: string,
  eventName: string,
  environment: string | undefined,
): string {
  if (environment !== undefined) return `repo:${repository}:environment:${environment}`;
  if (eventName === 'pull_request' || eventName === 'pull_request_target') {
    return `repo:${repository}:pull_request`;
  }
  return `repo:${repository}:ref:${ref}`;
}

function signJwt(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const header = base64urlJson({ typ: 'JWT', alg: 'RS256', kid });
  const payload = base64urlJson(claims);
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key);
  return `${header}.${payload}.${signature.toString('base64url')}`;
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** RFC 7638 thumbprint: a key id that is stable for the key. */
function jwkThumbprint(jwk: Record<string, string>): string {
  const canonical = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 40);
}

function withoutUndefined(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

function openIdConfiguration(jwksUri: string): Record<string, unknown> {
  return {
    issuer: GITHUB_ISSUER,
    jwks_uri: jwksUri,
    subject_types_supported: ['public', 'pairwise'],
    response_types_supported: ['id_token'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid'],
    claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'repository'],
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
