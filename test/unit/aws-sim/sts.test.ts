import {
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { startOidcIssuer } from '../../../tools/services/oidc.js';
import {
  MAIN_SUBJECT,
  ROLE_ARN,
  STS_AUDIENCE,
  rejectionOf,
  startScenario,
  type Scenario,
} from './helpers.js';

describe('STS AssumeRoleWithWebIdentity through @aws-sdk/client-sts', () => {
  let scenario: Scenario;
  beforeEach(async () => {
    scenario = await startScenario();
  });
  afterEach(() => scenario.close());

  const assume = (overrides: Record<string, unknown> = {}, audience = STS_AUDIENCE) =>
    scenario.sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ROLE_ARN,
        RoleSessionName: 'gh-4242',
        WebIdentityToken: scenario.oidc.issue(overrides, audience),
        DurationSeconds: 900,
      }),
    );

  test('issues temporary credentials for a trusted subject', async () => {
    const before = Date.now();
    const response = await assume();

    expect(response.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(response.Credentials?.SecretAccessKey).toHaveLength(40);
    expect(response.Credentials?.SessionToken).toBeTruthy();
    const expiresIn = response.Credentials!.Expiration!.getTime() - before;
    expect(expiresIn).toBeGreaterThan(899_000 - 1000);
    expect(expiresIn).toBeLessThanOrEqual(901_000);
    expect(response.AssumedRoleUser).toEqual({
      Arn: 'arn:aws:sts::123456789012:assumed-role/deploy/gh-4242',
      AssumedRoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}:gh-4242$/),
    });
    expect(response.SubjectFromWebIdentityToken).toBe(MAIN_SUBJECT);
    expect(response.Audience).toBe(STS_AUDIENCE);
    expect(response.Provider).toBe(
      'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    );
  });

  test('logs the call unsigned, with the session name and duration asked for', async () => {
    await assume();
    expect(scenario.sim.requestLog).toEqual([
      expect.objectContaining({
        service: 'sts',
        operation: 'AssumeRoleWithWebIdentity',
        status: 200,
        params: expect.objectContaining({
          RoleArn: ROLE_ARN,
          RoleSessionName: 'gh-4242',
          DurationSeconds: '900',
        }),
      }),
    ]);
    expect(scenario.sim.requestLog[0]!.accessKeyId).toBeUndefined();
    expect(scenario.sim.sts.sessions).toEqual([
      expect.objectContaining({
        sessionName: 'gh-4242',
        durationSeconds: 900,
        subject: MAIN_SUBJECT,
      }),
    ]);
  });

  test('the issued credentials sign GetCallerIdentity as the role session', async () => {
    const credentials = await scenario.assumeRole();
    const identity = await scenario.sts({ credentials }).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({
      Account: '123456789012',
      Arn: 'arn:aws:sts::123456789012:assumed-role/deploy/deploy-session',
      UserId: expect.stringMatching(/^AROA[A-Z2-7]{17}:deploy-session$/),
    });
    expect(scenario.sim.requestLog[1]).toMatchObject({
      operation: 'GetCallerIdentity',
      accessKeyId: credentials.accessKeyId,
      region: 'us-east-1',
      status: 200,
    });
  });

  test('StringLike subject patterns allow any branch', async () => {
    scenario.sim.sts.allowRole({
      roleArn: 'arn:aws:iam::123456789012:role/any-branch',
      subject: ['repo:org/app:ref:refs/heads/release-?', 'repo:org/app:ref:refs/heads/*'],
    });
    const response = await scenario.sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: 'arn:aws:iam::123456789012:role/any-branch',
        RoleSessionName: 'feature',
        WebIdentityToken: scenario.oidc.issue(
          { sub: 'repo:org/app:ref:refs/heads/feature/x' },
          STS_AUDIENCE,
        ),
      }),
    );
    expect(response.AssumedRoleUser?.Arn).toContain('assumed-role/any-branch/feature');
  });

  test.each([
    ['another branch', { sub: 'repo:org/app:ref:refs/heads/dev' }],
    ['another repository', { sub: 'repo:evil/app:ref:refs/heads/main' }],
  ])('a subject the trust policy does not allow (%s) is AccessDenied', async (_, claims) => {
    const error = await rejectionOf(assume(claims));
    expect(error.Code).toBe('AccessDenied');
    expect(error.message).toBe('Not authorized to perform sts:AssumeRoleWithWebIdentity');
    expect(error.$metadata?.httpStatusCode).toBe(403);
  });

  test('a role with no trust policy for web identities is AccessDenied', async () => {
    const error = await rejectionOf(
      scenario.sts().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: 'arn:aws:iam::123456789012:role/unknown',
          RoleSessionName: 'x1',
          WebIdentityToken: scenario.oidc.issue({}, STS_AUDIENCE),
        }),
      ),
    );
    expect(error.Code).toBe('AccessDenied');
  });

  test('a token for another audience is InvalidIdentityToken', async () => {
    const error = await rejectionOf(assume({}, 'api://something-else'));
    expect(error.Code).toBe('InvalidIdentityToken');
    expect(error.message).toBe('Incorrect token audience');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  test('a token signed by a key the provider does not publish is InvalidIdentityToken', async () => {
    const impostor = await startOidcIssuer();
    try {
      const error = await rejectionOf(
        scenario.sts().send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: ROLE_ARN,
            RoleSessionName: 'x1',
            WebIdentityToken: impostor.issue({}, STS_AUDIENCE),
          }),
        ),
      );
      expect(error.Code).toBe('InvalidIdentityToken');
    } finally {
      await impostor.close();
    }
  });

  test('a token whose claims were altered after signing is InvalidIdentityToken', async () => {
    const [header, , signature] = scenario.oidc.issue({}, STS_AUDIENCE).split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...decodeClaims(scenario.oidc.issue({}, STS_AUDIENCE)),
        sub: 'repo:x/y:ref:z',
      }),
    ).toString('base64url');
    const error = await rejectionOf(
      scenario.sts().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: ROLE_ARN,
          RoleSessionName: 'x1',
          WebIdentityToken: `${header}.${forged}.${signature}`,
        }),
      ),
    );
    expect(error.Code).toBe('InvalidIdentityToken');
  });

  test('a token from an issuer with no OIDC provider in the account is InvalidIdentityToken', async () => {
    const error = await rejectionOf(assume({ iss: 'https://gitlab.example.com' }));
    expect(error.Code).toBe('InvalidIdentityToken');
    expect(error.message).toBe(
      'No OpenIDConnect provider found in your account for https://gitlab.example.com',
    );
  });

  test('something that is not a JWT is InvalidIdentityToken', async () => {
    const error = await rejectionOf(
      scenario.sts().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: ROLE_ARN,
          RoleSessionName: 'x1',
          WebIdentityToken: 'not-a-jwt',
        }),
      ),
    );
    expect(error.Code).toBe('InvalidIdentityToken');
  });

  // Real STS answers an expired web identity token with ExpiredTokenException
  // ("Token expired: current date/time … must be before the expiration date/time…").
  test('an expired token is ExpiredTokenException', async () => {
    const now = Math.floor(Date.now() / 1000);
    const error = await rejectionOf(assume({ iat: now - 900, nbf: now - 900, exp: now - 600 }));
    expect(error.Code).toBe('ExpiredTokenException');
    expect(error.message).toMatch(/^Token expired: current date\/time \d+ must be before/);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  test('a token not valid yet is InvalidIdentityToken', async () => {
    const now = Math.floor(Date.now() / 1000);
    const error = await rejectionOf(assume({ nbf: now + 600, exp: now + 900 }));
    expect(error.Code).toBe('InvalidIdentityToken');
  });

  test.each([
    [{ RoleSessionName: 'has space' }, /at 'roleSessionName' .* regular expression pattern/],
    [{ RoleSessionName: 'x' }, /at 'roleSessionName' .* length greater than or equal to 2/],
    [
      { RoleSessionName: 'x'.repeat(65) },
      /at 'roleSessionName' .* length less than or equal to 64/,
    ],
    [{ DurationSeconds: 600 }, /Value '600' at 'durationSeconds' .* greater than or equal to 900/],
    [{ DurationSeconds: 43201 }, /at 'durationSeconds' .* less than or equal to 43200/],
    [{ DurationSeconds: 7200 }, /^The requested DurationSeconds exceeds the MaxSessionDuration/],
    [{ RoleArn: 'arn:aws:iam::12345:role/deploy' }, /^Request ARN is invalid$/],
  ])('%j is a ValidationError', async (input, message) => {
    const error = await rejectionOf(scenario.assumeRole(input));
    expect(error.Code).toBe('ValidationError');
    expect(error.message).toMatch(message);
  });

  test("a role's longer MaxSessionDuration allows longer sessions", async () => {
    scenario.sim.sts.allowRole({
      roleArn: 'arn:aws:iam::123456789012:role/long',
      subject: MAIN_SUBJECT,
      maxSessionDurationSeconds: 43200,
    });
    await expect(
      scenario.assumeRole({
        RoleArn: 'arn:aws:iam::123456789012:role/long',
        DurationSeconds: 43200,
      }),
    ).resolves.toBeDefined();
  });
});

describe('STS GetCallerIdentity and SigV4 through @aws-sdk/client-sts', () => {
  let scenario: Scenario;
  const user = {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    arn: 'arn:aws:iam::210987654321:user/deployer',
  };
  beforeEach(async () => {
    scenario = await startScenario();
    scenario.sim.addCredentials(user);
  });
  afterEach(() => scenario.close());

  const callerIdentity = (client: STSClient) => client.send(new GetCallerIdentityCommand({}));

  test('ambient static credentials identify their user', async () => {
    const identity = await callerIdentity(scenario.sts({ credentials: user }));
    expect(identity).toMatchObject({
      Account: '210987654321',
      Arn: user.arn,
      UserId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/),
    });
  });

  test('a wrong secret is SignatureDoesNotMatch', async () => {
    const error = await rejectionOf(
      callerIdentity(
        scenario.sts({ credentials: { ...user, secretAccessKey: 'wrong' }, maxAttempts: 1 }),
      ),
    );
    expect(error.Code).toBe('SignatureDoesNotMatch');
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(scenario.sim.requestLog[0]).toMatchObject({
      errorCode: 'SignatureDoesNotMatch',
      accessKeyId: user.accessKeyId,
      errorDetail: expect.stringContaining('POST\n/\n'),
    });
  });

  test('an unknown access key is InvalidClientTokenId', async () => {
    const error = await rejectionOf(
      callerIdentity(
        scenario.sts({ credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' } }),
      ),
    );
    expect(error.Code).toBe('InvalidClientTokenId');
    expect(error.message).toBe('The security token included in the request is invalid.');
  });

  test('temporary credentials without their session token are InvalidClientTokenId', async () => {
    const { sessionToken: _, ...withoutToken } = await scenario.assumeRole();
    const error = await rejectionOf(callerIdentity(scenario.sts({ credentials: withoutToken })));
    expect(error.Code).toBe('InvalidClientTokenId');
  });

  test('temporary credentials past their expiration are ExpiredToken', async () => {
    let now = Date.now();
    await scenario.close();
    scenario = await startScenario({ sim: { now: () => new Date(now) } });
    const credentials = await scenario.assumeRole({ DurationSeconds: 900 });
    now += 901_000;
    const error = await rejectionOf(callerIdentity(scenario.sts({ credentials })));
    expect(error.Code).toBe('ExpiredToken');
    expect(error.$metadata?.httpStatusCode).toBe(403);
  });

  test('the SDK finds the simulator through AWS_ENDPOINT_URL_STS', async () => {
    expect(scenario.sim.endpointEnv()).toEqual({ AWS_ENDPOINT_URL_STS: scenario.sim.url });
    const saved = process.env.AWS_ENDPOINT_URL_STS;
    process.env.AWS_ENDPOINT_URL_STS = scenario.sim.url;
    try {
      const client = new STSClient({ region: 'eu-west-1', credentials: user });
      const identity = await callerIdentity(client);
      client.destroy();
      expect(identity.Arn).toBe(user.arn);
      expect(scenario.sim.requestLog[0]?.region).toBe('eu-west-1');
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
      else process.env.AWS_ENDPOINT_URL_STS = saved;
    }
  });
});

describe('STS wire format', () => {
  let scenario: Scenario;
  beforeEach(async () => {
    scenario = await startScenario();
  });
  afterEach(() => scenario.close());

  const post = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(scenario.sim.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers },
      body: new URLSearchParams(form).toString(),
    });

  test('a result is <OpResponse><OpResult>…</OpResult><ResponseMetadata>', async () => {
    const response = await post({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: ROLE_ARN,
      RoleSessionName: 'raw',
      WebIdentityToken: scenario.oidc.issue({}, STS_AUDIENCE),
    });
    const body = await response.text();
    const requestId = response.headers.get('x-amzn-requestid');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/xml');
    expect(body).toMatch(
      /^<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>/,
    );
    expect(body).toMatch(/<Expiration>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/Expiration>/);
    expect(body).toContain(
      `</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
    );
  });

  test('an error is <ErrorResponse><Error><Type><Code><Message></Error><RequestId>', async () => {
    const response = await post({ Action: 'GetCallerIdentity', Version: '2011-06-15' });
    const requestId = response.headers.get('x-amzn-requestid');
    expect(response.status).toBe(403);
    expect(await response.text()).toBe(
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
        '<Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message>' +
        `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  });

  test('an unknown action is InvalidAction', async () => {
    const response = await post({ Action: 'AssumeRoleWithSAML', Version: '2011-06-15' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(
      '<Code>InvalidAction</Code><Message>Could not find operation AssumeRoleWithSAML for version 2011-06-15</Message>',
    );
  });

  test('a malformed Authorization header is IncompleteSignature', async () => {
    const response = await post(
      { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws4_request' },
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toContain(
      "<Code>IncompleteSignature</Code><Message>Authorization header requires 'SignedHeaders' parameter.",
    );
  });
});

function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}
