/**
 * Protocol fidelity of the AWS simulator, checked by an independent client:
 * the AWS CLI (botocore's own service models, serialisers, signer, error
 * parsers and retry rules). Every operation the simulator implements has a
 * success row below, and the coverage test fails when one is missing; error
 * rows prove the CLI parsed the simulator's error bodies.
 *
 * To cover a new service: register it in startAwsSimulator, then append rows
 * to CLI_ROWS (one success row per operation, plus its typical errors).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startAwsSimulator, type AwsSimulator } from '../support/aws-sim/index.js';
import { startOidcIssuer, type OidcIssuer } from '../support/oidc.js';

/** Debian's AWS CLI v2 when installed (what CI installs), else whatever `aws` is on PATH. */
const AWS_CLI = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/deploy';
const SUBJECT = 'repo:org/app:ref:refs/heads/main';
const USER = {
  accessKeyId: 'AKIACLIFIDELITYTEST1',
  secretAccessKey: 'cli-fidelity-secret/with+chars',
  arn: 'arn:aws:iam::210987654321:user/deployer',
};

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

interface Fixture {
  sim: AwsSimulator;
  oidc: OidcIssuer;
  /** A GitHub OIDC token for the main branch, audience sts.amazonaws.com unless given. */
  token(claims?: Record<string, unknown>, audience?: string): string;
  /** Credentials issued by the simulator's STS for the deploy role. */
  roleCredentials(): Promise<Credentials>;
}

interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (undefined when it is not JSON). */
  output: Record<string, unknown> | undefined;
}

interface CliRow {
  name: string;
  /** `<signing name>:<Operation>` this row calls, for the coverage check and the request log. */
  operation: string;
  /** Arguments after `aws` (the endpoint, region and output format are added). */
  args(f: Fixture): string[];
  /** Credentials in the CLI's environment; none (an unsigned call) when absent. */
  credentials?(f: Fixture): Credentials | Promise<Credentials>;
  /** Arranges the simulator (e.g. a fault) before the call. */
  arrange?(f: Fixture): void;
  /** The error code the CLI must report; a success row leaves it out. */
  expectError?: string;
  check?(run: CliRun, f: Fixture): void;
}

// ---------------------------------------------------------------------------
// AWS CLI fidelity rows. Append rows for each operation a new module implements.
// ---------------------------------------------------------------------------
const CLI_ROWS: CliRow[] = [
  // --- STS (Query protocol) ---
  {
    name: 'assume-role-with-web-identity issues credentials (unsigned call)',
    operation: 'sts:AssumeRoleWithWebIdentity',
    args: (f) => [
      'sts',
      'assume-role-with-web-identity',
      '--role-arn',
      ROLE_ARN,
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
        SubjectFromWebIdentityToken: SUBJECT,
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
      ROLE_ARN,
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
      ROLE_ARN,
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
    credentials: () => USER,
    args: () => ['sts', 'get-caller-identity'],
    check: ({ output }) =>
      expect(output).toEqual({
        UserId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/),
        Account: '210987654321',
        Arn: USER.arn,
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
    credentials: () => USER,
    arrange: (f) =>
      f.sim.faults.add({ operation: 'GetCallerIdentity', kind: 'throttle', count: 1 }),
    args: () => ['sts', 'get-caller-identity'],
    check: ({ output }, f) => {
      expect(output?.Arn).toBe(USER.arn);
      expect(f.sim.requestLog.slice(-2).map((e) => e.errorCode)).toEqual(['Throttling', undefined]);
    },
  },
  {
    name: 'get-caller-identity: wrong secret',
    operation: 'sts:GetCallerIdentity',
    credentials: () => ({ ...USER, secretAccessKey: 'not-the-secret' }),
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
// ---------------------------------------------------------------------------

describe('AWS simulator fidelity, checked with the AWS CLI', () => {
  let fixture: Fixture;
  let home: string;
  const stsClients: STSClient[] = [];

  beforeAll(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'aws-cli-home-'));
    const oidc = await startOidcIssuer();
    const sim = await startAwsSimulator({
      trustJwks: oidc.jwks,
      roles: [{ roleArn: ROLE_ARN, subject: SUBJECT }],
    });
    sim.addCredentials(USER);
    fixture = {
      sim,
      oidc,
      token: (claims = {}, audience = 'sts.amazonaws.com') => oidc.issue(claims, audience),
      roleCredentials: async () => {
        const client = new STSClient({ endpoint: sim.url, region: 'us-east-1' });
        stsClients.push(client);
        const { Credentials: c } = await client.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: ROLE_ARN,
            RoleSessionName: 'sdk-session',
            WebIdentityToken: oidc.issue({}, 'sts.amazonaws.com'),
          }),
        );
        return {
          accessKeyId: c!.AccessKeyId!,
          secretAccessKey: c!.SecretAccessKey!,
          sessionToken: c!.SessionToken!,
        };
      },
    };
  });

  afterEach(() => fixture.sim.faults.clear());

  afterAll(async () => {
    for (const client of stsClients) client.destroy();
    await Promise.all([fixture?.sim.close(), fixture?.oidc.close()]);
    await rm(home, { recursive: true, force: true });
  });

  test('the AWS CLI is installed', async () => {
    const run = await runCli(['--version'], undefined);
    expect(run.exitCode).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/^aws-cli\/\d+\./);
  });

  test('every operation the simulator implements has a success row', () => {
    const implemented = fixture.sim.modules.flatMap((m) =>
      Object.keys(m.operations).map((operation) => `${m.name}:${operation}`),
    );
    const covered = new Set(CLI_ROWS.filter((r) => !r.expectError).map((r) => r.operation));
    expect(implemented.filter((operation) => !covered.has(operation))).toEqual([]);
  });

  test.each(CLI_ROWS.map((row) => [row.name, row] as const))('%s', async (_, row) => {
    row.arrange?.(fixture);
    const credentials = await row.credentials?.(fixture);
    const logged = fixture.sim.requestLog.length;
    const run = await runCli([...row.args(fixture), ...endpointArgs(fixture.sim)], credentials);

    const [service, operation] = row.operation.split(':');
    const requests = fixture.sim.requestLog.slice(logged);
    expect(requests.map((r) => `${r.service}:${r.operation}`)).toContain(`${service}:${operation}`);
    if (row.expectError) {
      expect(run.exitCode).not.toBe(0);
      expect(run.stderr).toContain(
        `An error occurred (${row.expectError}) when calling the ${operation} operation`,
      );
      expect(requests.at(-1)?.errorCode).toBe(row.expectError);
    } else {
      expect({ exitCode: run.exitCode, stderr: run.stderr }).toEqual({ exitCode: 0, stderr: '' });
      expect(requests.at(-1)?.status).toBe(200);
    }
    row.check?.(run, fixture);
  });

  function endpointArgs(sim: AwsSimulator): string[] {
    return ['--endpoint-url', sim.url, '--region', 'us-east-1', '--output', 'json'];
  }

  /** The CLI with a clean environment: no config files, no metadata service, credentials only as given. */
  function runCli(args: string[], credentials: Credentials | undefined): Promise<CliRun> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      LANG: 'C.UTF-8',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      ...(credentials && {
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        ...(credentials.sessionToken && { AWS_SESSION_TOKEN: credentials.sessionToken }),
      }),
    };
    return new Promise((resolve, reject) => {
      execFile(AWS_CLI, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(
            new Error(
              `Could not run the AWS CLI (${AWS_CLI}): ${error.message}. Install it: apt-get install awscli`,
            ),
          );
          return;
        }
        resolve({
          exitCode: typeof error?.code === 'number' ? error.code : 0,
          stdout,
          stderr,
          output: parseJson(stdout),
        });
      });
    });
  }
});

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
