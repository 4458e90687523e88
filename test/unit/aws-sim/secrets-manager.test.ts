// The simulator's Secrets Manager through the AWS SDK v3 client the actions use:
// lookups by name, ARN and partial ARN, version stages, binary secrets, regions
// and the two kinds of AccessDeniedException.
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  createSecretsManagerService,
  type SecretsManagerSimulator,
} from '../../../tools/aws-sim/services/secrets-manager.js';
import { startScenario, type AssumedCredentials, type Scenario } from './helpers.js';

let scenario: Scenario;
let secretsManager: SecretsManagerSimulator;
let credentials: AssumedCredentials;
const clients: SecretsManagerClient[] = [];

function client(region = 'us-east-1'): SecretsManagerClient {
  const created = new SecretsManagerClient({
    endpoint: scenario.sim.url,
    region,
    credentials,
    maxAttempts: 1,
  });
  clients.push(created);
  return created;
}

async function errorOf(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error('expected the call to fail');
}

const RDS_SECRET = JSON.stringify({
  username: 'app',
  password: 'pa:ss@word',
  engine: 'postgres',
  host: 'db.internal',
  port: 5432,
  dbname: 'shop',
});

beforeAll(async () => {
  scenario = await startScenario();
  secretsManager = createSecretsManagerService();
  scenario.sim.register(secretsManager);
  credentials = await scenario.assumeRole();
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await scenario.close();
});

test('GetSecretValue by name, full ARN and partial ARN returns the AWSCURRENT version', async () => {
  const secret = secretsManager.addSecret('prod/db', RDS_SECRET);
  expect(secret.arn).toMatch(
    /^arn:aws:secretsmanager:us-east-1:123456789012:secret:prod\/db-[A-Za-z0-9]{6}$/,
  );
  const partialArn = secret.arn.slice(0, -7);
  for (const id of ['prod/db', secret.arn, partialArn]) {
    const response = await client().send(new GetSecretValueCommand({ SecretId: id }));
    expect(response).toMatchObject({
      ARN: secret.arn,
      Name: 'prod/db',
      VersionId: secret.versions[0]!.versionId,
      SecretString: RDS_SECRET,
      VersionStages: ['AWSCURRENT'],
    });
    expect(response.CreatedDate).toBeInstanceOf(Date);
    expect(response.SecretBinary).toBeUndefined();
  }
  expect(scenario.sim.requestLog.at(-1)).toMatchObject({
    service: 'secretsmanager',
    operation: 'GetSecretValue',
    status: 200,
  });
});

test('a rotated secret: AWSCURRENT is the new value, AWSPREVIOUS and VersionId reach the old one', async () => {
  const secret = secretsManager.addSecret('rotated', 'postgres://a:old@h/db');
  const oldVersion = secret.versions[0]!.versionId;
  const next = secretsManager.putSecretValue('rotated', 'postgres://a:new@h/db');

  const current = await client().send(new GetSecretValueCommand({ SecretId: 'rotated' }));
  expect(current).toMatchObject({
    SecretString: 'postgres://a:new@h/db',
    VersionId: next.versionId,
  });
  const previous = await client().send(
    new GetSecretValueCommand({ SecretId: 'rotated', VersionStage: 'AWSPREVIOUS' }),
  );
  expect(previous).toMatchObject({
    SecretString: 'postgres://a:old@h/db',
    VersionStages: ['AWSPREVIOUS'],
  });
  const byId = await client().send(
    new GetSecretValueCommand({ SecretId: 'rotated', VersionId: oldVersion }),
  );
  expect(byId.SecretString).toBe('postgres://a:old@h/db');

  const described = await client().send(new DescribeSecretCommand({ SecretId: 'rotated' }));
  expect(described.VersionIdsToStages).toEqual({
    [oldVersion]: ['AWSPREVIOUS'],
    [next.versionId]: ['AWSCURRENT'],
  });
});

test('a binary secret comes back as bytes', async () => {
  secretsManager.addSecret('binary', 'mysql://u:p@h/db', { binary: true });
  const response = await client().send(new GetSecretValueCommand({ SecretId: 'binary' }));
  expect(response.SecretString).toBeUndefined();
  expect(Buffer.from(response.SecretBinary!).toString('utf8')).toBe('mysql://u:p@h/db');
});

test('DescribeSecret: name, ARN, key, dates; LastAccessedDate is the day of the last read', async () => {
  const key = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const secret = secretsManager.addSecret('described', 'x', {
    description: 'the database',
    kmsKeyId: key,
  });
  const before = await client().send(new DescribeSecretCommand({ SecretId: secret.arn }));
  expect(before).toMatchObject({
    ARN: secret.arn,
    Name: 'described',
    Description: 'the database',
    KmsKeyId: key,
  });
  expect(before.LastAccessedDate).toBeUndefined();
  expect(before.CreatedDate).toBeInstanceOf(Date);

  await client().send(new GetSecretValueCommand({ SecretId: 'described' }));
  const after = await client().send(new DescribeSecretCommand({ SecretId: 'described' }));
  const today = new Date();
  expect(after.LastAccessedDate?.toISOString()).toBe(
    new Date(
      Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()),
    ).toISOString(),
  );
});

test('unknown secrets, other regions, missing stages and versions are ResourceNotFoundException', async () => {
  const secret = secretsManager.addSecret('regional', 'x', { region: 'eu-west-1' });
  const notFound = await errorOf(client().send(new GetSecretValueCommand({ SecretId: 'nope' })));
  expect(notFound).toMatchObject({
    name: 'ResourceNotFoundException',
    message: "Secrets Manager can't find the specified secret.",
  });
  const elsewhere = await errorOf(
    client('us-east-1').send(new GetSecretValueCommand({ SecretId: 'regional' })),
  );
  expect(elsewhere.name).toBe('ResourceNotFoundException');
  const inItsRegion = await client('eu-west-1').send(
    new GetSecretValueCommand({ SecretId: secret.arn }),
  );
  expect(inItsRegion.Name).toBe('regional');

  const stage = await errorOf(
    client('eu-west-1').send(
      new GetSecretValueCommand({ SecretId: 'regional', VersionStage: 'AWSPENDING' }),
    ),
  );
  expect(stage).toMatchObject({
    name: 'ResourceNotFoundException',
    message: "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
  });
  const version = await errorOf(
    client('eu-west-1').send(
      new GetSecretValueCommand({
        SecretId: 'regional',
        VersionId: '00000000-0000-0000-0000-000000000000',
      }),
    ),
  );
  expect(version.name).toBe('ResourceNotFoundException');
  // A partial ARN must be the whole ARN minus the suffix, not any prefix of it.
  const prefix = await errorOf(
    client('eu-west-1').send(new GetSecretValueCommand({ SecretId: secret.arn.slice(0, -9) })),
  );
  expect(prefix.name).toBe('ResourceNotFoundException');
});

test('AccessDeniedException: IAM names principal, action and secret; KMS is the vague real message', async () => {
  secretsManager.addSecret('locked', 'x');
  secretsManager.deny('locked', 'iam');
  const iam = await errorOf(client().send(new GetSecretValueCommand({ SecretId: 'locked' })));
  expect(iam.name).toBe('AccessDeniedException');
  expect(iam.message).toMatch(
    /^User: arn:aws:sts::123456789012:assumed-role\/deploy\/deploy-session is not authorized to perform: secretsmanager:GetSecretValue on resource: locked because/,
  );

  secretsManager.addSecret('cmk', 'x', {
    kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/00000000-1111-2222-3333-444444444444',
  });
  secretsManager.deny('cmk', 'kms');
  const kms = await errorOf(client().send(new GetSecretValueCommand({ SecretId: 'cmk' })));
  expect(kms).toMatchObject({
    name: 'AccessDeniedException',
    message: 'Access to KMS is not allowed',
  });
  // Describing needs no decryption.
  const described = await client().send(new DescribeSecretCommand({ SecretId: 'cmk' }));
  expect(described.Name).toBe('cmk');

  secretsManager.deny('cmk', undefined);
  const allowed = await client().send(new GetSecretValueCommand({ SecretId: 'cmk' }));
  expect(allowed.SecretString).toBe('x');
});

test('calls must be signed by credentials the simulator issued', async () => {
  secretsManager.addSecret('signed', 'x');
  const stranger = new SecretsManagerClient({
    endpoint: scenario.sim.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'nope' },
    maxAttempts: 1,
  });
  clients.push(stranger);
  const error = await errorOf(stranger.send(new GetSecretValueCommand({ SecretId: 'signed' })));
  expect(error.name).toBe('UnrecognizedClientException');
});
