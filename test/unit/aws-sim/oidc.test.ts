import { getIDToken } from '@actions/core';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startAwsSimulator } from '../../../tools/aws-sim/index.js';
import { decodeJwt, verifyRs256 } from '../../../tools/aws-sim/jwt.js';
import { GITHUB_ISSUER, startOidcIssuer, type OidcIssuer } from '../../../tools/services/oidc.js';

/**
 * Calls @actions/core's getIDToken() the way an action does, with the
 * runner's variables set for the duration of the call and its workflow
 * commands (::debug::, ::add-mask::) kept out of the test output.
 */
async function getIDTokenAsAnAction(
  env: { requestUrl: string; requestToken: string },
  audience?: string,
): Promise<string> {
  const saved = {
    url: process.env.ACTIONS_ID_TOKEN_REQUEST_URL,
    token: process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
  };
  const write = process.stdout.write;
  process.env.ACTIONS_ID_TOKEN_REQUEST_URL = env.requestUrl;
  process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = env.requestToken;
  process.stdout.write = () => true;
  try {
    return await getIDToken(audience);
  } finally {
    process.stdout.write = write;
    restore('ACTIONS_ID_TOKEN_REQUEST_URL', saved.url);
    restore('ACTIONS_ID_TOKEN_REQUEST_TOKEN', saved.token);
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

function claimsOf(token: string): Record<string, unknown> {
  return decodeJwt(token)!.claims;
}

describe('fake GitHub OIDC issuer', () => {
  let oidc: OidcIssuer;
  afterEach(() => oidc.close());

  test("answers @actions/core's getIDToken() with a signed token carrying GitHub's claims", async () => {
    oidc = await startOidcIssuer();
    expect(oidc.requestUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/token\?api-version=2\.0$/);
    const token = await getIDTokenAsAnAction(oidc, 'sts.amazonaws.com');

    const jwt = decodeJwt(token)!;
    expect(jwt.header).toEqual({ typ: 'JWT', alg: 'RS256', kid: oidc.jwks.keys[0]!.kid });
    expect(verifyRs256(jwt, oidc.jwks)).toBe(true);
    const now = Math.floor(Date.now() / 1000);
    expect(jwt.claims).toMatchObject({
      iss: GITHUB_ISSUER,
      aud: 'sts.amazonaws.com',
      sub: 'repo:org/app:ref:refs/heads/main',
      repository: 'org/app',
      repository_owner: 'org',
      ref: 'refs/heads/main',
      sha: expect.stringMatching(/^[0-9a-f]{40}$/),
      workflow: 'deploy',
      job_workflow_ref: 'org/app/.github/workflows/deploy.yml@refs/heads/main',
      run_id: '4242',
      run_attempt: '1',
      actor: 'octocat',
      event_name: 'push',
      jti: expect.any(String),
    });
    expect(jwt.claims.iat).toBeGreaterThanOrEqual(now - 1);
    expect(jwt.claims.nbf).toBeLessThanOrEqual(now);
    expect(jwt.claims.exp).toBe((jwt.claims.iat as number) + 300);
    expect(jwt.claims).not.toHaveProperty('environment');
    expect(oidc.requests).toEqual([
      expect.objectContaining({ audience: 'sts.amazonaws.com', authorized: true, status: 200 }),
    ]);
    expect(oidc.tokensIssued).toBe(1);
  });

  test('a wrong bearer token is answered 401 and no token is issued', async () => {
    oidc = await startOidcIssuer();
    await expect(
      getIDTokenAsAnAction(
        { requestUrl: oidc.requestUrl, requestToken: 'wrong' },
        'sts.amazonaws.com',
      ),
    ).rejects.toThrow(/Failed to get ID Token/);
    expect(oidc.requests).toEqual([expect.objectContaining({ authorized: false, status: 401 })]);
    expect(oidc.tokensIssued).toBe(0);
  });

  test("without an audience, aud is the repository owner's URL", async () => {
    oidc = await startOidcIssuer({ repository: 'acme/shop' });
    expect(claimsOf(await getIDTokenAsAnAction(oidc)).aud).toBe('https://github.com/acme');
  });

  test.each([
    [{ environment: 'production' }, 'repo:org/app:environment:production'],
    [{ eventName: 'pull_request', ref: 'refs/pull/7/merge' }, 'repo:org/app:pull_request'],
    [{ ref: 'refs/tags/v1.2.0' }, 'repo:org/app:ref:refs/tags/v1.2.0'],
    [{ subject: 'repo:org/app:job_workflow_ref:x' }, 'repo:org/app:job_workflow_ref:x'],
  ])('%j gives the subject %s', async (options, subject) => {
    oidc = await startOidcIssuer(options);
    expect(claimsOf(oidc.issue()).sub).toBe(subject);
  });

  test('issue() overrides claims and removes those set to undefined', async () => {
    oidc = await startOidcIssuer({ claims: { runner_environment: 'self-hosted' } });
    const claims = claimsOf(oidc.issue({ actor: 'mona', jti: undefined }, 'aud-1'));
    expect(claims).toMatchObject({
      actor: 'mona',
      aud: 'aud-1',
      runner_environment: 'self-hosted',
    });
    expect(claims).not.toHaveProperty('jti');
  });

  test('failNextRequests() makes the endpoint fail, then recover', async () => {
    oidc = await startOidcIssuer();
    oidc.failNextRequests(1, 500);
    const request = () =>
      fetch(`${oidc.requestUrl}&audience=sts.amazonaws.com`, {
        headers: { authorization: `Bearer ${oidc.requestToken}` },
      });
    expect((await request()).status).toBe(500);
    const second = await request();
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ value: expect.stringMatching(/^ey/) });
    expect(oidc.requests.map((r) => r.status)).toEqual([500, 200]);
  });

  test('serves its JWKS and OpenID configuration', async () => {
    oidc = await startOidcIssuer();
    const jwks = (await (await fetch(oidc.jwksUrl)).json()) as typeof oidc.jwks;
    expect(jwks).toEqual(oidc.jwks);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    const configuration = new URL('/.well-known/openid-configuration', oidc.jwksUrl);
    expect(await (await fetch(configuration)).json()).toMatchObject({
      issuer: GITHUB_ISSUER,
      jwks_uri: oidc.jwksUrl,
    });
  });

  test("a token from getIDToken() is accepted by the simulator's STS", async () => {
    oidc = await startOidcIssuer();
    const sim = await startAwsSimulator({
      trustJwks: oidc.jwks,
      roles: [{ roleArn: 'arn:aws:iam::123456789012:role/deploy', subject: 'repo:org/app:*' }],
    });
    const sts = new STSClient({ endpoint: sim.url, region: 'us-east-1' });
    try {
      const response = await sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: 'arn:aws:iam::123456789012:role/deploy',
          RoleSessionName: 'chain',
          WebIdentityToken: await getIDTokenAsAnAction(oidc, 'sts.amazonaws.com'),
        }),
      );
      expect(response.SubjectFromWebIdentityToken).toBe('repo:org/app:ref:refs/heads/main');
    } finally {
      sts.destroy();
      await sim.close();
    }
  });
});
