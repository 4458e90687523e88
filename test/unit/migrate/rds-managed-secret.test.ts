// The secrets RDS creates and manages (`rds!db-<uuid>`, `rds!cluster-<uuid>`), read
// through database-url-secret-id from the simulator's Secrets Manager: by name and by
// ARN, in the runner and the ECS modes, and with the JSON RDS puts in them (no dbname).
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { InputError, type Logger } from '@deploy-actions/action-kit/engine';
import {
  checkSecretId,
  resolveDatabaseUrl,
  sameSecret,
} from '../../../packages/migrate/src/index.js';
import {
  createSecretsManagerService,
  type SecretsManagerSimulator,
} from '../../../tools/aws-sim/services/secrets-manager.js';
import { startScenario, type AssumedCredentials, type Scenario } from '../aws-sim/helpers.js';

// RDS names the secret it manages for a master user `rds!db-<uuid>` (an instance) or
// `rds!cluster-<uuid>` (a cluster): RDS User Guide, "Password management with Amazon RDS
// and AWS Secrets Manager" (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html).
const INSTANCE_SECRET = 'rds!db-3f2c6a1e-8d4b-4c71-9a0e-5b7d2e9f1c84';
const CLUSTER_SECRET = 'rds!cluster-9b1d7c3e-2f4a-4e58-b6c0-1a8e3d5f7b92';

const quiet: Logger = {
  info() {},
  output() {},
  debug() {},
  warning() {},
  error() {},
  group: (_title, fn) => fn(),
  mask() {},
};

let scenario: Scenario;
let secretsManager: SecretsManagerSimulator;
let credentials: AssumedCredentials;
let client: SecretsManagerClient;

beforeAll(async () => {
  scenario = await startScenario();
  secretsManager = createSecretsManagerService();
  scenario.sim.register(secretsManager);
  credentials = await scenario.assumeRole();
  client = new SecretsManagerClient({
    endpoint: scenario.sim.url,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await scenario.close();
});

test.each([
  INSTANCE_SECRET,
  CLUSTER_SECRET,
  `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${INSTANCE_SECRET}-AbCdEf`,
  `arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:${CLUSTER_SECRET}-a1B2c3`,
  'prod/db+blue=1.0@team_a-b',
])('database-url-secret-id accepts %s', (secretId) => {
  expect(checkSecretId(secretId)).toBe(secretId);
});

test.each([
  'prod db',
  '',
  'a'.repeat(513),
  'prod/db#1',
  'arn:aws:secretsmanager:eu-west-1:1:secret:x',
])('database-url-secret-id still refuses %j', (secretId) => {
  expect(() => checkSecretId(secretId)).toThrow(InputError);
});

test.each([INSTANCE_SECRET, CLUSTER_SECRET])(
  'the RDS-managed secret %s is read by name and by ARN, its missing dbname defaulted',
  async (name) => {
    // What RDS stores for a PostgreSQL master user, plus the connection fields a user adds.
    const secret = secretsManager.addSecret(
      name,
      JSON.stringify({
        username: 'postgres',
        password: 'Zx9!kq',
        engine: 'postgres',
        host: 'shop.abc.us-east-1.rds.amazonaws.com',
        port: 5432,
      }),
    );
    for (const secretId of [name, secret.arn]) {
      const resolved = await resolveDatabaseUrl(
        { secretId: checkSecretId(secretId) },
        { logger: quiet, secretsManager: client },
      );
      expect(resolved.connection).toMatchObject({
        engine: 'postgres',
        host: 'shop.abc.us-east-1.rds.amazonaws.com',
        database: 'postgres',
      });
    }
  },
);

test('ECS mode matches an RDS-managed secret named by name or ARN to the task definition reference', () => {
  const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${INSTANCE_SECRET}-AbCdEf`;
  for (const secretId of [INSTANCE_SECRET, arn, arn.slice(0, -7)]) {
    expect(sameSecret(arn, checkSecretId(secretId))).toBe(true);
    expect(sameSecret(`${arn}:password::`, secretId)).toBe(true);
  }
  expect(sameSecret(arn, CLUSTER_SECRET)).toBe(false);
});
