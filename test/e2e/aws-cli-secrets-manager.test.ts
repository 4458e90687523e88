/**
 * Protocol fidelity of the simulator's Secrets Manager (awsJson1_1, target
 * prefix `secretsmanager`), checked with the AWS CLI: the calls
 * run-migrations makes to read a database URL or an RDS secret, and the
 * errors it must explain (not found, access denied by IAM or by KMS).
 *
 * Rows are signed by the deploy role (account 123456789012) unless they say
 * otherwise, and build on each other: secrets are added in `arrange`.
 *
 * @needs awscli
 */
import { CLI_REGION, CLI_USER, describeCliFidelity, type CliRow } from '../support/aws-cli.js';
import {
  createSecretsManagerService,
  type SecretsManagerSimulator,
} from '../../tools/aws-sim/services/secrets-manager.js';

const ACCOUNT = '123456789012';
const KEY = `arn:aws:kms:${CLI_REGION}:${ACCOUNT}:key/0c1a5e7e-5ec0-4c11-8e57-000000000001`;
const RDS_JSON = JSON.stringify({
  username: 'app',
  password: 'Pa55:w@rd/?#',
  engine: 'postgres',
  host: 'shop.abc123.us-east-1.rds.amazonaws.com',
  port: 5432,
  dbname: 'shop',
});
const ARN = new RegExp(
  `^arn:aws:secretsmanager:${CLI_REGION}:${ACCOUNT}:secret:prod/db-[A-Za-z0-9]{6}$`,
);
/** The CLI prints timestamps as ISO 8601 (v2) or as they came, epoch seconds (v1). */
const TIMESTAMP = expect.anything();

const RDS_MANAGED = 'rds!db-3f2c6a1e-8d4b-4c71-9a0e-5b7d2e9f1c84';

type Row = CliRow<SecretsManagerSimulator>;

const arnOf = (sm: SecretsManagerSimulator, name: string) => sm.secrets.get(name)!.arn;

const rows: Row[] = [
  {
    name: 'get-secret-value by name: the RDS JSON, AWSCURRENT',
    operation: 'secretsmanager:GetSecretValue',
    arrange: (f) => f.state.addSecret('prod/db', RDS_JSON, { description: 'shop database' }),
    args: () => ['secretsmanager', 'get-secret-value', '--secret-id', 'prod/db'],
    check: ({ output }, f) => {
      expect(output).toEqual({
        ARN: expect.stringMatching(ARN),
        Name: 'prod/db',
        VersionId: f.state.secrets.get('prod/db')!.versions[0]!.versionId,
        SecretString: RDS_JSON,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: TIMESTAMP,
      });
    },
  },
  {
    // RDS names the secret it manages for a master user rds!db-<uuid> (rds!cluster-<uuid>).
    name: 'get-secret-value of an RDS-managed secret (rds!db-<uuid>), by name and by ARN',
    operation: 'secretsmanager:GetSecretValue',
    arrange: (f) => f.state.addSecret(RDS_MANAGED, RDS_JSON),
    args: (f) => ['secretsmanager', 'get-secret-value', '--secret-id', arnOf(f.state, RDS_MANAGED)],
    check: ({ output }) => {
      expect(output?.Name).toBe(RDS_MANAGED);
      expect(output?.ARN).toMatch(/:secret:rds!db-[0-9a-f-]{36}-[A-Za-z0-9]{6}$/);
    },
  },
  {
    name: 'get-secret-value by an RDS-managed name',
    operation: 'secretsmanager:GetSecretValue',
    args: () => ['secretsmanager', 'get-secret-value', '--secret-id', RDS_MANAGED],
    check: ({ output }) => expect(output?.SecretString).toBe(RDS_JSON),
  },
  {
    name: 'get-secret-value by full ARN',
    operation: 'secretsmanager:GetSecretValue',
    args: (f) => ['secretsmanager', 'get-secret-value', '--secret-id', arnOf(f.state, 'prod/db')],
    check: ({ output }) => expect(output?.Name).toBe('prod/db'),
  },
  {
    name: 'get-secret-value by partial ARN (without the random suffix)',
    operation: 'secretsmanager:GetSecretValue',
    args: (f) => [
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      arnOf(f.state, 'prod/db').slice(0, -7),
    ],
    check: ({ output }) => expect(output?.SecretString).toBe(RDS_JSON),
  },
  {
    name: 'get-secret-value --query SecretString --output text (how scripts read it)',
    operation: 'secretsmanager:GetSecretValue',
    args: () => [
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'prod/db',
      '--query',
      'SecretString',
    ],
    check: ({ stdout }) => expect(JSON.parse(stdout)).toBe(RDS_JSON),
  },
  {
    name: 'get-secret-value after a rotation: AWSCURRENT is new, AWSPREVIOUS the old value',
    operation: 'secretsmanager:GetSecretValue',
    arrange: (f) => {
      f.state.addSecret('rotated/url', 'postgres://app:old@db/shop');
      f.state.putSecretValue('rotated/url', 'postgres://app:new@db/shop');
    },
    args: () => [
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'rotated/url',
      '--version-stage',
      'AWSPREVIOUS',
    ],
    check: ({ output }) =>
      expect(output).toMatchObject({
        SecretString: 'postgres://app:old@db/shop',
        VersionStages: ['AWSPREVIOUS'],
      }),
  },
  {
    name: 'get-secret-value by version id',
    operation: 'secretsmanager:GetSecretValue',
    args: (f) => [
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'rotated/url',
      '--version-id',
      f.state.secrets.get('rotated/url')!.versions[1]!.versionId,
    ],
    check: ({ output }) =>
      expect(output).toMatchObject({
        SecretString: 'postgres://app:new@db/shop',
        VersionStages: ['AWSCURRENT'],
      }),
  },
  {
    name: 'get-secret-value of a binary secret: base64 in SecretBinary',
    operation: 'secretsmanager:GetSecretValue',
    arrange: (f) => f.state.addSecret('binary/url', 'mysql://u:p@db/shop', { binary: true }),
    args: () => ['secretsmanager', 'get-secret-value', '--secret-id', 'binary/url'],
    check: ({ output }) => {
      expect(output).not.toHaveProperty('SecretString');
      expect(Buffer.from(String(output?.SecretBinary), 'base64').toString()).toBe(
        'mysql://u:p@db/shop',
      );
    },
  },
  {
    name: 'get-secret-value: no such secret',
    operation: 'secretsmanager:GetSecretValue',
    args: () => ['secretsmanager', 'get-secret-value', '--secret-id', 'prod/nope'],
    expectError: 'ResourceNotFoundException',
    check: ({ stderr }) =>
      expect(stderr).toContain("Secrets Manager can't find the specified secret."),
  },
  {
    name: 'get-secret-value: a staging label the secret does not have',
    operation: 'secretsmanager:GetSecretValue',
    args: () => [
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'prod/db',
      '--version-stage',
      'AWSPENDING',
    ],
    expectError: 'ResourceNotFoundException',
    check: ({ stderr }) =>
      expect(stderr).toContain(
        "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
      ),
  },
  {
    name: "get-secret-value: another account's caller does not see the secret by name",
    operation: 'secretsmanager:GetSecretValue',
    credentials: () => CLI_USER,
    args: () => ['secretsmanager', 'get-secret-value', '--secret-id', 'prod/db'],
    expectError: 'ResourceNotFoundException',
  },
  {
    name: 'get-secret-value: denied by IAM',
    operation: 'secretsmanager:GetSecretValue',
    arrange: (f) => {
      f.state.addSecret('locked/db', 'postgres://a:b@c/d');
      f.state.deny('locked/db', 'iam');
    },
    args: () => ['secretsmanager', 'get-secret-value', '--secret-id', 'locked/db'],
    expectError: 'AccessDeniedException',
    check: ({ stderr }) =>
      expect(stderr).toMatch(
        /User: arn:aws:sts::123456789012:assumed-role\/deploy\/sdk-session is not authorized to perform: secretsmanager:GetSecretValue on resource: locked\/db/,
      ),
  },
  {
    name: 'get-secret-value: a customer managed key the caller may not use',
    operation: 'secretsmanager:GetSecretValue',
    arrange: (f) => {
      f.state.addSecret('cmk/db', 'postgres://a:b@c/d', { kmsKeyId: KEY });
      f.state.deny('cmk/db', 'kms');
    },
    args: () => ['secretsmanager', 'get-secret-value', '--secret-id', 'cmk/db'],
    expectError: 'AccessDeniedException',
    check: ({ stderr }) => expect(stderr).toContain('Access to KMS is not allowed'),
  },
  {
    name: 'get-secret-value: unsigned',
    operation: 'secretsmanager:GetSecretValue',
    credentials: () => undefined,
    args: () => [
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'prod/db',
      '--no-sign-request',
    ],
    expectError: 'MissingAuthenticationTokenException',
  },
  {
    name: 'describe-secret: name, ARN, description, dates, stages',
    operation: 'secretsmanager:DescribeSecret',
    args: () => ['secretsmanager', 'describe-secret', '--secret-id', 'prod/db'],
    check: ({ output }, f) => {
      const secret = f.state.secrets.get('prod/db')!;
      expect(output).toEqual({
        ARN: secret.arn,
        Name: 'prod/db',
        Description: 'shop database',
        LastChangedDate: TIMESTAMP,
        LastAccessedDate: TIMESTAMP,
        VersionIdsToStages: { [secret.versions[0]!.versionId]: ['AWSCURRENT'] },
        CreatedDate: TIMESTAMP,
      });
    },
  },
  {
    name: 'describe-secret of a CMK secret names its key (and needs no kms:Decrypt)',
    operation: 'secretsmanager:DescribeSecret',
    args: (f) => ['secretsmanager', 'describe-secret', '--secret-id', arnOf(f.state, 'cmk/db')],
    check: ({ output }) => expect(output).toMatchObject({ Name: 'cmk/db', KmsKeyId: KEY }),
  },
  {
    name: 'describe-secret: no such secret',
    operation: 'secretsmanager:DescribeSecret',
    args: () => ['secretsmanager', 'describe-secret', '--secret-id', 'prod/nope'],
    expectError: 'ResourceNotFoundException',
  },
];

describeCliFidelity<SecretsManagerSimulator>('Secrets Manager', {
  services: () => {
    const secretsManager = createSecretsManagerService();
    return { services: [secretsManager], state: secretsManager };
  },
  credentials: (f) => f.roleCredentials(),
  rows,
});
