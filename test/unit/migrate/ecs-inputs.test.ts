// Reading the ECS-mode inputs (image, task, network, launch) and planning how the task gets the
// database URL; no simulator.
import { Inputs, InputError, UserError } from '@deploy-actions/action-kit/engine';
import {
  planDatabaseReference,
  readEcsMode,
  readMigrationImage,
  sameSecret,
} from '../../../packages/migrate/src/index.js';
import { EXECUTION_ROLE, REGION, SECRET_ARN, SECRET_NAME } from './ecs-fixtures.js';

describe('readMigrationImage', () => {
  const read = (values: Record<string, string>) =>
    readMigrationImage(new Inputs((name) => values[name]));
  test.each([
    `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api@sha256:${'a'.repeat(64)}`,
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:3f9c2d1',
    'localhost:5000/api:v1',
  ])('accepts %s with ecs-cluster', (image) => {
    expect(read({ 'ecs-cluster': 'app', image })).toBe(image);
  });
  test.each<[Record<string, string>, RegExp]>([
    [{ image: 'api:v1' }, /Input 'image'.*nothing without ecs-cluster/],
    [{ 'ecs-cluster': 'app', image: 'Shop/API' }, /Input 'image'.*an image reference/],
    [{ 'ecs-cluster': 'app', image: 'api@sha256:short' }, /Input 'image'.*an image reference/],
    [{ 'ecs-cluster': 'app', image: 'api:v1; rm -rf /' }, /Input 'image'/],
  ])('refuses %j', (values, message) => {
    expect(() => read(values)).toThrow(InputError);
    expect(() => read(values)).toThrow(message);
  });
  test('absent: the task definition runs its own image', () => {
    expect(read({ 'ecs-cluster': 'app' })).toBeUndefined();
  });
});

describe('planDatabaseReference', () => {
  const definition = { family: 'app', revision: 7, executionRoleArn: EXECUTION_ROLE };

  test('a URL in the plain environment is masked and warned about', () => {
    const url = 'postgres://app:hunter2@db:5432/app';
    const plan = planDatabaseReference(
      { name: 'app', environment: [{ name: 'DATABASE_URL', value: url }] },
      definition,
      { urlEnv: 'DATABASE_URL' },
    );
    expect(plan.mask).toEqual([url]);
    expect(plan.warnings[0]).toContain("puts DATABASE_URL in container app's plain environment");
    expect(plan.environment).toEqual([]);
  });

  test('a secret referenced under other names (RDS JSON keys) is accepted', () => {
    const plan = planDatabaseReference(
      {
        name: 'app',
        secrets: [
          { name: 'DB_PASSWORD', valueFrom: `${SECRET_ARN}:password::` },
          { name: 'DB_HOST', valueFrom: `${SECRET_ARN}:host::` },
        ],
      },
      definition,
      { urlEnv: 'DATABASE_URL', secretId: SECRET_NAME },
    );
    expect(plan.source).toBe(
      `the secret ${SECRET_NAME}, referenced by the task definition as DB_PASSWORD, DB_HOST`,
    );
  });

  test('a secret not referenced at all: says what to add to the task definition', () => {
    let caught: unknown;
    try {
      planDatabaseReference({ name: 'app' }, definition, {
        urlEnv: 'DATABASE_URL',
        secretId: SECRET_NAME,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).message).toContain(
      'ECS cannot pass a secret in a RunTask override',
    );
    expect((caught as UserError).hint).toContain(
      '"secrets": [{"name": "DATABASE_URL", "valueFrom": "<the secret\'s ARN>"}]',
    );
  });

  test.each<[string, string, boolean]>([
    [SECRET_ARN, SECRET_NAME, true],
    [SECRET_ARN, SECRET_ARN, true],
    [`${SECRET_ARN}:url::`, SECRET_ARN, true],
    [SECRET_ARN, `arn:aws:secretsmanager:${REGION}:123456789012:secret:${SECRET_NAME}`, true],
    [SECRET_ARN, 'prod', false],
    [SECRET_ARN, 'prod/db-other', false],
    [
      'arn:aws:ssm:eu-west-1:123456789012:parameter/db',
      'arn:aws:ssm:eu-west-1:123456789012:parameter/db',
      true,
    ],
  ])('sameSecret(%s, %s) is %s', (valueFrom, secretId, expected) => {
    expect(sameSecret(valueFrom, secretId)).toBe(expected);
  });
});

describe('readEcsMode', () => {
  const read = (values: Record<string, string>) => readEcsMode(new Inputs((name) => values[name]));
  const base = {
    'ecs-cluster': 'app',
    'task-definition': 'app:3',
    'container-name': 'app',
    command: 'npm run migrate',
    subnets: 'subnet-0a1b2c3d4e5f67890, subnet-0a1b2c3d',
    'security-groups': 'sg-0a1b2c3d',
  };

  test('reads the task, network and launch', () => {
    expect(read(base)).toEqual({
      kind: 'ecs',
      cluster: 'app',
      taskDefinition: 'app:3',
      containerName: 'app',
      argv: ['npm', 'run', 'migrate'],
      network: {
        subnets: ['subnet-0a1b2c3d4e5f67890', 'subnet-0a1b2c3d'],
        securityGroups: ['sg-0a1b2c3d'],
        assignPublicIp: false,
      },
      launch: { launchType: 'FARGATE' },
      urlEnv: 'DATABASE_URL',
      timeoutMs: 30 * 60_000,
    });
    expect(
      read({ ...base, 'capacity-provider-strategy': 'FARGATE:1:1, FARGATE_SPOT:3' }).launch,
    ).toEqual({
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 3 },
      ],
    });
  });

  test.each<[Record<string, string>, string]>([
    [{ subnets: 'subnet-xyz' }, 'subnets'],
    [{ 'security-groups': 'default' }, 'security-groups'],
    [{ 'launch-type': 'LAMBDA' }, 'launch-type'],
    [{ 'capacity-provider-strategy': 'FARGATE', 'launch-type': 'FARGATE' }, 'launch-type'],
    [{ 'database-url': 'postgres://u:p@h/d' }, 'database-url'],
    [{ 'database-url-secret-id-env': 'DB_SECRET' }, 'database-url-secret-id-env'],
    [{ 'assign-public-ip': 'true', 'launch-type': 'EC2' }, 'assign-public-ip'],
    [{ 'task-timeout': '1s' }, 'task-timeout'],
    [{ command: 'migrate | tee out' }, 'command'],
  ])('refuses %j', (values, input) => {
    let caught: unknown;
    try {
      read({ ...base, ...values });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).input).toBe(input);
    expect((caught as InputError).message).not.toContain('u:p@');
  });
});
