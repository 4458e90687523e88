// In-step OIDC credentials against the AWS simulator's STS (JWT verified
// against the issuer's JWKS, trust condition on `sub`), with the token
// fetched by @actions/core's getIDToken from the fake GitHub token endpoint.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  FakeClock,
  MemoryLogger,
  UserError,
  describeError,
  githubIdToken,
} from '@deploy-actions/action-kit';
import {
  clientConfig,
  openAwsSession,
  resolveCredentials,
  type RoleOptions,
} from '@deploy-actions/aws';
import {
  DEPLOY_ROLE,
  REGION,
  startAwsEnvironment,
  type AwsTestEnvironment,
} from '../../../tools/services/aws-env.js';

let aws: AwsTestEnvironment;
const savedEnv = { ...process.env };

const role = (overrides: Partial<RoleOptions> = {}): RoleOptions => ({
  roleToAssume: DEPLOY_ROLE,
  roleSessionName: undefined,
  roleDurationSeconds: 3600,
  region: REGION,
  maxAttempts: 4,
  actionName: 'test',
  ...overrides,
});

const runnerEnv = () => ({
  ...aws.simulator.endpointEnv(),
  ACTIONS_ID_TOKEN_REQUEST_URL: aws.oidc.requestUrl,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: aws.oidc.requestToken,
  GITHUB_REPOSITORY: 'org/app',
  GITHUB_RUN_ID: '4242',
  GITHUB_RUN_ATTEMPT: '1',
  AWS_EC2_METADATA_DISABLED: 'true',
});

beforeAll(async () => {
  aws = await startAwsEnvironment();
});
afterAll(async () => {
  await aws.close();
});
beforeEach(() => {
  process.env = { ...savedEnv, ...runnerEnv() };
  aws.simulator.faults.clear();
});
afterEach(() => {
  process.env = { ...savedEnv };
});

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return describeError(error);
  }
  throw new Error('expected a UserError');
}

test('assumes the role with the OIDC token, masks everything secret, and the credentials work', async () => {
  const logger = new MemoryLogger();
  const credentials = await resolveCredentials(role(), { getIdToken: githubIdToken, logger });
  expect(credentials?.accessKeyId).toMatch(/^ASIA/);
  expect(logger.masked).toEqual(
    expect.arrayContaining([
      credentials!.accessKeyId,
      credentials!.secretAccessKey,
      credentials!.sessionToken,
    ]),
  );
  expect(logger.masked.some((m) => m.split('.').length === 3)).toBe(true); // the JWT itself
  const session = aws.simulator.sts.sessions.at(-1)!;
  expect(session).toMatchObject({
    sessionName: 'GitHubActions-app-4242-1',
    durationSeconds: 3600,
    subject: 'repo:org/app:ref:refs/heads/main',
  });
  expect(aws.oidc.requests.at(-1)?.audience).toBe('sts.amazonaws.com');

  const sts = new STSClient(
    clientConfig({ region: REGION, credentials, maxAttempts: 2, actionName: 'test' }),
  );
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  expect(identity.Arn).toBe(
    'arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions-app-4242-1',
  );
  expect(logger.text()).not.toContain(credentials!.secretAccessKey);
});

test('nothing is exported to later steps: no AWS_* variables are set', async () => {
  const before = Object.keys(process.env).filter((k) => k.startsWith('AWS_'));
  await resolveCredentials(role(), { getIdToken: githubIdToken, logger: new MemoryLogger() });
  expect(Object.keys(process.env).filter((k) => k.startsWith('AWS_'))).toEqual(before);
});

test('a missing id-token permission is named as the cause, before any AWS call', async () => {
  delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
  delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  const calls = aws.simulator.requestLog.length;
  const message = await errorOf(
    resolveCredentials(role(), { getIdToken: githubIdToken, logger: new MemoryLogger() }),
  );
  expect(message).toMatch(
    /cannot request a GitHub OIDC token .* Add 'permissions: id-token: write'/,
  );
  expect(aws.simulator.requestLog.length).toBe(calls);
});

test('a trust policy that does not match the token subject says which subject to allow', async () => {
  const other = await startAwsEnvironment({ trustSubject: 'repo:org/app:environment:production' });
  try {
    process.env = {
      ...process.env,
      ...other.simulator.endpointEnv(),
      ACTIONS_ID_TOKEN_REQUEST_URL: other.oidc.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: other.oidc.requestToken,
    };
    const message = await errorOf(
      resolveCredentials(role(), { getIdToken: githubIdToken, logger: new MemoryLogger() }),
    );
    expect(message).toMatch(/does not trust this workflow/);
    expect(message).toContain('"repo:org/app:ref:refs/heads/main"');
  } finally {
    await other.close();
  }
});

test('an OIDC token that expired before STS saw it is explained as such', async () => {
  const stale = await startAwsEnvironment({
    oidc: { now: () => new Date(Date.now() - 3_600_000) },
  });
  try {
    process.env = {
      ...process.env,
      ...stale.simulator.endpointEnv(),
      ACTIONS_ID_TOKEN_REQUEST_URL: stale.oidc.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: stale.oidc.requestToken,
    };
    const message = await errorOf(
      resolveCredentials(role(), { getIdToken: githubIdToken, logger: new MemoryLogger() }),
    );
    expect(message).toMatch(/OIDC token had expired when it arrived.*check the runner's clock/);
  } finally {
    await stale.close();
  }
});

test('a flaky token endpoint still yields a token', async () => {
  aws.oidc.failNextRequests(2, 503);
  const credentials = await resolveCredentials(role(), {
    getIdToken: githubIdToken,
    logger: new MemoryLogger(),
  });
  expect(credentials?.accessKeyId).toMatch(/^ASIA/);
});

test('token requests that keep failing are retried with backoff, then explained', async () => {
  const clock = new FakeClock();
  let calls = 0;
  const flaky = async (audience: string) => {
    if (++calls <= 2) throw new Error('socket hang up');
    return githubIdToken(audience);
  };
  expect(
    await resolveCredentials(role(), { getIdToken: flaky, logger: new MemoryLogger(), clock }),
  ).toBeDefined();
  expect(clock.sleeps).toHaveLength(2);

  const failing = async () => {
    throw new Error('Failed to get ID Token. Error Code : 500');
  };
  const message = await errorOf(
    resolveCredentials(role(), {
      getIdToken: failing,
      logger: new MemoryLogger(),
      clock: new FakeClock(),
    }),
  );
  expect(message).toMatch(
    /^Could not get a GitHub OIDC token: Failed to get ID Token\. Error Code : 500/,
  );
});

test('throttled STS calls are retried by the SDK', async () => {
  aws.simulator.faults.add({
    service: 'sts',
    operation: 'AssumeRoleWithWebIdentity',
    kind: 'throttle',
    count: 2,
  });
  const credentials = await resolveCredentials(role(), {
    getIdToken: githubIdToken,
    logger: new MemoryLogger(),
  });
  expect(credentials).toBeDefined();
  const attempts = aws.simulator.requestLog
    .filter((r) => r.operation === 'AssumeRoleWithWebIdentity')
    .slice(-3);
  expect(attempts.map((r) => r.errorCode ?? 'ok')).toEqual(['Throttling', 'Throttling', 'ok']);
});

test('a role session duration the role does not allow is explained', async () => {
  const message = await errorOf(
    resolveCredentials(role({ roleDurationSeconds: 43200 + 1 }), {
      getIdToken: githubIdToken,
      logger: new MemoryLogger(),
    }),
  );
  expect(message).toMatch(/STS refused the request: .*role-duration-seconds/);
});

test('without role-to-assume the default chain is used (e.g. credentials from configure-aws-credentials)', async () => {
  aws.simulator.addCredentials({
    accessKeyId: 'AKIAAMBIENT000000001',
    secretAccessKey: 'ambient-secret',
    arn: 'arn:aws:iam::123456789012:user/ci',
  });
  process.env.AWS_ACCESS_KEY_ID = 'AKIAAMBIENT000000001';
  process.env.AWS_SECRET_ACCESS_KEY = 'ambient-secret';
  const tokensBefore = aws.oidc.tokensIssued;
  const session = await openAwsSession(
    {
      roleToAssume: undefined,
      roleSessionName: undefined,
      roleDurationSeconds: 3600,
      region: REGION,
      maxAttempts: 2,
    },
    'test',
    { getIdToken: githubIdToken, logger: new MemoryLogger() },
  );
  expect(session.credentials).toBeUndefined();
  const identity = await new STSClient(clientConfig(session)).send(
    new GetCallerIdentityCommand({}),
  );
  expect(identity.Arn).toBe('arn:aws:iam::123456789012:user/ci');
  expect(aws.oidc.tokensIssued).toBe(tokensBefore);
});
