/**
 * Protocol fidelity of the simulator's built-in STS (Query protocol), checked
 * with the AWS CLI: OIDC role assumption (an unsigned call), caller identity
 * signed with static and STS-issued credentials, throttling the CLI retries,
 * and the authentication errors it must parse. Other services have their own
 * `aws-cli-<service>.test.ts` tables; how to add one is in
 * test/support/aws-cli.ts.
 *
 * @needs awscli
 */
import {
  CLI_ROLE_ARN,
  CLI_SUBJECT,
  CLI_USER,
  describeCliFidelity,
  type CliRow,
} from '../support/aws-cli.js';

const ROWS: CliRow[] = [
  // --- STS (Query protocol) ---
  {
    name: 'assume-role-with-web-identity issues credentials (unsigned call)',
    operation: 'sts:AssumeRoleWithWebIdentity',
    args: (f) => [
      'sts',
      'assume-role-with-web-identity',
      '--role-arn',
      CLI_ROLE_ARN,
      '--role-session-name',
      'cli-session',
      '--web-identity-token',
      f.token(),
      '--duration-seconds',
      '900',
    ],
    check: ({ output }, f) => {
      expect(output).toMatchObject({
        Credentials: {
          AccessKeyId: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/),
          SecretAccessKey: expect.any(String),
          SessionToken: expect.any(String),
        },
        SubjectFromWebIdentityToken: CLI_SUBJECT,
        AssumedRoleUser: {
          Arn: 'arn:aws:sts::123456789012:assumed-role/deploy/cli-session',
          AssumedRoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}:cli-session$/),
        },
        Provider: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
        Audience: 'sts.amazonaws.com',
      });
      const expiration = (output!.Credentials as { Expiration: string }).Expiration;
      expect(Date.parse(expiration) - Date.now()).toBeGreaterThan(800_000);
      expect(f.sim.requestLog.at(-1)).toMatchObject({
        params: expect.objectContaining({ RoleSessionName: 'cli-session', DurationSeconds: '900' }),
      });
    },
  },
  {
    name: 'assume-role-with-web-identity: subject not trusted',
    operation: 'sts:AssumeRoleWithWebIdentity',
    args: (f) => [
      'sts',
      'assume-role-with-web-identity',
      '--role-arn',
      CLI_ROLE_ARN,
      '--role-session-name',
      'cli-session',
      '--web-identity-token',
      f.token({ sub: 'repo:org/app:ref:refs/heads/dev' }),
    ],
    expectError: 'AccessDenied',
    check: ({ stderr }) =>
      expect(stderr).toContain('Not authorized to perform sts:AssumeRoleWithWebIdentity'),
  },
  {
    name: 'assume-role-with-web-identity: wrong audience',
    operation: 'sts:AssumeRoleWithWebIdentity',
    args: (f) => [
      'sts',
      'assume-role-with-web-identity',
      '--role-arn',
      CLI_ROLE_ARN,
      '--role-session-name',
      'cli-session',
      '--web-identity-token',
      f.token({}, 'https://github.com/org'),
    ],
    expectError: 'InvalidIdentityToken',
    check: ({ stderr }) => expect(stderr).toContain('Incorrect token audience'),
  },
  {
    name: 'get-caller-identity with static credentials',
    operation: 'sts:GetCallerIdentity',
    credentials: () => CLI_USER,
    args: () => ['sts', 'get-caller-identity'],
    check: ({ output }) =>
      expect(output).toEqual({
        UserId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/),
        Account: '210987654321',
        Arn: CLI_USER.arn,
      }),
  },
  {
    name: 'get-caller-identity with credentials STS issued (session token signed by the CLI)',
    operation: 'sts:GetCallerIdentity',
    credentials: (f) => f.roleCredentials(),
    args: () => ['sts', 'get-caller-identity'],
    check: ({ output }) =>
      expect(output).toMatchObject({
        Account: '123456789012',
        Arn: 'arn:aws:sts::123456789012:assumed-role/deploy/sdk-session',
      }),
  },
  {
    name: 'get-caller-identity: throttled once, retried by the CLI',
    operation: 'sts:GetCallerIdentity',
    credentials: () => CLI_USER,
    arrange: (f) =>
      f.sim.faults.add({ operation: 'GetCallerIdentity', kind: 'throttle', count: 1 }),
    args: () => ['sts', 'get-caller-identity'],
    check: ({ output }, f) => {
      expect(output?.Arn).toBe(CLI_USER.arn);
      expect(f.sim.requestLog.slice(-2).map((e) => e.errorCode)).toEqual(['Throttling', undefined]);
    },
  },
  {
    name: 'get-caller-identity: wrong secret',
    operation: 'sts:GetCallerIdentity',
    credentials: () => ({ ...CLI_USER, secretAccessKey: 'not-the-secret' }),
    args: () => ['sts', 'get-caller-identity'],
    expectError: 'SignatureDoesNotMatch',
  },
  {
    name: 'get-caller-identity: unknown access key',
    operation: 'sts:GetCallerIdentity',
    credentials: () => ({ accessKeyId: 'AKIANOBODYEXAMPLE000', secretAccessKey: 'x' }),
    args: () => ['sts', 'get-caller-identity'],
    expectError: 'InvalidClientTokenId',
    check: ({ stderr }) =>
      expect(stderr).toContain('The security token included in the request is invalid.'),
  },
];

describeCliFidelity('STS', {
  // STS is built into every simulator: this file registers nothing and covers it.
  services: () => [],
  covers: ['sts'],
  rows: ROWS,
});
