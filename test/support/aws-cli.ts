/**
 * Protocol fidelity of the AWS simulator, checked by an independent client:
 * the AWS CLI (botocore's own service models, serialisers, signer, error
 * parsers and retry rules). A fidelity file is a table of CLI calls ("rows");
 * `describeCliFidelity` starts a fixture (the simulator, a GitHub OIDC issuer
 * it trusts, a deploy role and static credentials), registers the file's
 * service modules, runs every row through the real CLI, and fails when an
 * operation of those modules has no success row.
 *
 * Adding a service file — `test/e2e/aws-cli-<service>.test.ts`:
 *
 * ```ts
 * import { createFooService } from '../../tools/aws-sim/services/foo.js';
 * import { CLI_USER, describeCliFidelity, type CliRow } from '../support/aws-cli.js';
 *
 * const rows: CliRow[] = [
 *   {
 *     name: 'list-things returns what the simulator holds',
 *     operation: 'foo:ListThings', // `<module.name>:<Operation>`, as in the request log
 *     args: () => ['foo', 'list-things'], // endpoint, region and --output json are added
 *     check: ({ output }) => expect(output).toEqual({ Things: [] }),
 *   },
 *   {
 *     name: 'describe-thing: missing',
 *     operation: 'foo:DescribeThing',
 *     args: () => ['foo', 'describe-thing', '--name', 'nope'],
 *     expectError: 'ResourceNotFoundException', // the code the CLI must print
 *   },
 * ];
 *
 * describeCliFidelity('Foo', {
 *   services: () => [createFooService()],
 *   credentials: () => CLI_USER, // rows are signed with these unless they say otherwise
 *   rows,
 * });
 * ```
 *
 * 1. One success row (no `expectError`) per operation the module implements:
 *    the table's coverage test lists every operation without one. Error rows
 *    for the errors callers rely on (not-found, already-exists, validation).
 * 2. Rows run in order, one CLI process each, against one simulator per file,
 *    so a row may rely on state an earlier row made (create, then describe).
 *    `arrange` (may be async) prepares state or faults; faults are cleared
 *    after every row.
 * 3. Services that need more than a module (a real registry, a database):
 *    pass an async `services` returning `{ services, state, close }`; rows
 *    reach `state` as `f.state` (type it with `CliRow<State>`), and `close`
 *    runs after the table.
 * 4. Never loosen a row to make the CLI pass: a CLI failure is a wire-format
 *    bug in the simulator; fix the module. `run.stderr` must be empty on
 *    success, so even a warning the CLI prints about a response is a failure.
 *
 * Each file has its own simulator, issuer and CLI home, so files run in
 * parallel. The CLI is Debian's v2 (/usr/bin/aws) when present, else `aws`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  startAwsSimulator,
  type AwsSimulator,
  type RequestLogEntry,
  type ServiceModule,
} from '../../tools/aws-sim/index.js';
import { startOidcIssuer, type OidcIssuer } from '../../tools/services/oidc.js';

/** Debian's AWS CLI v2 when installed (what CI installs), else whatever `aws` is on PATH. */
export const AWS_CLI = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';
/** The role the fixture's STS trusts for CLI_SUBJECT. */
export const CLI_ROLE_ARN = 'arn:aws:iam::123456789012:role/deploy';
export const CLI_SUBJECT = 'repo:org/app:ref:refs/heads/main';
export const CLI_REGION = 'us-east-1';
/** Static credentials the fixture's simulator accepts (another account's IAM user). */
export const CLI_USER = {
  accessKeyId: 'AKIACLIFIDELITYTEST1',
  secretAccessKey: 'cli-fidelity-secret/with+chars',
  arn: 'arn:aws:iam::210987654321:user/deployer',
} as const;

export interface CliCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface CliFixture<State = undefined> {
  sim: AwsSimulator;
  oidc: OidcIssuer;
  /** What the file's async `services` setup returned as `state`. */
  state: State;
  /** A GitHub OIDC token for the main branch, audience sts.amazonaws.com unless given. */
  token(claims?: Record<string, unknown>, audience?: string): string;
  /** Credentials issued by the simulator's STS for the deploy role (session name sdk-session). */
  roleCredentials(): Promise<CliCredentials>;
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (undefined when it is not JSON). */
  output: Record<string, unknown> | undefined;
  /** What the simulator received during this row's CLI call (rows only). */
  requests?: RequestLogEntry[];
}

export interface CliRow<State = undefined> {
  name: string;
  /** `<signing name>:<Operation>` this row calls, for the coverage check and the request log. */
  operation: string;
  /** Arguments after `aws` (the endpoint, region and output format are added). */
  args(f: CliFixture<State>): string[];
  /**
   * Credentials in the CLI's environment. Absent: the table's `credentials`, else none (an
   * unsigned call); returning undefined makes an unsigned call in a signed table.
   */
  credentials?(
    f: CliFixture<State>,
  ): CliCredentials | undefined | Promise<CliCredentials | undefined>;
  /** Arranges the simulator (e.g. a fault) or the state behind it before the call; awaited. */
  arrange?(f: CliFixture<State>): unknown;
  /** The error code the CLI must report; a success row leaves it out. */
  expectError?: string;
  /** Further assertions on the CLI's output and the simulator's state; awaited. */
  check?(run: CliRun, f: CliFixture<State>): unknown;
}

/** What an async `services` setup returns when rows need more than the modules. */
export interface CliServices<State> {
  services: ServiceModule[];
  state: State;
  /** Stops whatever the setup started (runs after the simulator is closed). */
  close?(): Promise<void>;
}

export interface CliFidelityTable<State> {
  /** The modules this file registers in its simulator (STS is built in). */
  services(): ServiceModule[] | CliServices<State> | Promise<ServiceModule[] | CliServices<State>>;
  rows: readonly CliRow<State>[];
  /** Default credentials for rows that name none. */
  credentials?(f: CliFixture<State>): CliCredentials | Promise<CliCredentials>;
  /**
   * Names of the modules whose every operation needs a success row here. Default: the
   * modules `services` returned. (The STS table names the built-in `sts`.)
   */
  covers?: readonly string[];
  /** Time for the setup (starting a registry, a database); 60 s by default. */
  setupTimeoutMs?: number;
}

/** Registers the fidelity table `rows` as a describe block (see the file comment). */
export function describeCliFidelity<State = undefined>(
  title: string,
  table: CliFidelityTable<State>,
): void {
  describe(`${title} in the AWS simulator, checked with the AWS CLI`, () => {
    let fixture: CliFixture<State>;
    let covered: readonly string[] = [];
    let home: string | undefined;
    let closeSetup: (() => Promise<void>) | undefined;
    const stsClients: STSClient[] = [];

    beforeAll(async () => {
      home = await mkdtemp(path.join(tmpdir(), 'aws-cli-home-'));
      const oidc = await startOidcIssuer();
      const sim = await startAwsSimulator({
        trustJwks: oidc.jwks,
        roles: [{ roleArn: CLI_ROLE_ARN, subject: CLI_SUBJECT }],
      });
      sim.addCredentials(CLI_USER);
      // Assigned before the setup runs, so afterAll closes the simulator even if it throws.
      fixture = {
        sim,
        oidc,
        state: undefined as State,
        token: (claims = {}, audience = 'sts.amazonaws.com') => oidc.issue(claims, audience),
        roleCredentials: async () => {
          const client = new STSClient({ endpoint: sim.url, region: CLI_REGION });
          stsClients.push(client);
          const { Credentials: c } = await client.send(
            new AssumeRoleWithWebIdentityCommand({
              RoleArn: CLI_ROLE_ARN,
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
      const setup = await table.services();
      const { services, state, close } = Array.isArray(setup)
        ? { services: setup, state: undefined as State, close: undefined }
        : setup;
      closeSetup = close;
      fixture.state = state;
      for (const service of services) sim.register(service);
      covered = table.covers ?? services.map((s) => s.name);
    }, table.setupTimeoutMs ?? 60_000);

    afterEach(() => fixture?.sim.faults.clear());

    afterAll(async () => {
      for (const client of stsClients) client.destroy();
      await Promise.all([fixture?.sim.close(), fixture?.oidc.close()]);
      await closeSetup?.();
      if (home) await rm(home, { recursive: true, force: true });
    });

    test('the AWS CLI is installed', async () => {
      const run = await runAwsCli(['--version'], { home: home! });
      expect(run.exitCode).toBe(0);
      expect(run.stdout + run.stderr).toMatch(/^aws-cli\/\d+\./);
    });

    test('every operation of the modules this file registers has a success row', () => {
      expect(covered.length).toBeGreaterThan(0);
      const modules = fixture.sim.modules.filter((m) => covered.includes(m.name));
      expect(modules.map((m) => m.name).sort()).toEqual([...covered].sort());
      const implemented = modules.flatMap((m) =>
        Object.keys(m.operations).map((operation) => `${m.name}:${operation}`),
      );
      const succeeded = new Set(table.rows.filter((r) => !r.expectError).map((r) => r.operation));
      expect(implemented.filter((operation) => !succeeded.has(operation))).toEqual([]);
    });

    test.each(table.rows.map((row) => [row.name, row] as const))('%s', async (_, row) => {
      await row.arrange?.(fixture);
      const credentials = row.credentials
        ? await row.credentials(fixture)
        : await table.credentials?.(fixture);
      const logged = fixture.sim.requestLog.length;
      const run = await runAwsCli([...row.args(fixture), ...cliEndpointArgs(fixture.sim)], {
        home: home!,
        credentials,
      });

      const [service, operation] = row.operation.split(':');
      const requests = fixture.sim.requestLog.slice(logged);
      expect(requests.map((r) => `${r.service}:${r.operation}`)).toContain(
        `${service}:${operation}`,
      );
      if (row.expectError) {
        expect(run.exitCode).not.toBe(0);
        expect(run.stderr).toContain(
          `An error occurred (${row.expectError}) when calling the ${operation} operation`,
        );
        expect(requests.at(-1)?.errorCode).toBe(row.expectError);
      } else {
        expect({ exitCode: run.exitCode, stderr: run.stderr }).toEqual({ exitCode: 0, stderr: '' });
        // 2xx, not only 200: CloudFront's CreateInvalidation answers 201 Created.
        expect(String(requests.at(-1)?.status)).toMatch(/^2\d\d$/);
      }
      await row.check?.({ ...run, requests }, fixture);
    });
  });
}

/** Endpoint, region and output format for a CLI call against `sim`. */
export function cliEndpointArgs(sim: Pick<AwsSimulator, 'url'>): string[] {
  return ['--endpoint-url', sim.url, '--region', CLI_REGION, '--output', 'json'];
}

/**
 * The CLI with a clean environment: no config files, no metadata service, credentials only as
 * given, `home` as HOME (its cache lands there). Resolves with the exit code (never rejects for
 * a failing call); rejects only when the CLI cannot be run at all.
 */
export function runAwsCli(
  args: string[],
  options: { home: string; credentials?: CliCredentials | undefined; timeoutMs?: number },
): Promise<CliRun> {
  const { credentials } = options;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: options.home,
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
    execFile(
      AWS_CLI,
      args,
      { env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(
            new Error(
              error.killed
                ? `The AWS CLI (${AWS_CLI} ${args.join(' ')}) was killed (${error.signal}) after ${options.timeoutMs ?? 60_000} ms`
                : `Could not run the AWS CLI (${AWS_CLI}): ${error.message}. Install it: apt-get install awscli`,
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
      },
    );
  });
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
