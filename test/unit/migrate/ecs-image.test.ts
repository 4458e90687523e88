// Migrating with the image being deployed: a new task definition revision running that image.
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { MemoryLogger } from '@deploy-actions/action-kit/engine';
import {
  ecsTaskOutputs,
  revisionWithImage,
  runMigrationTask,
  summarizeEcsTask,
} from '../../../packages/migrate/src/index.js';
import {
  EXECUTION_ROLE,
  ecs,
  logs,
  node,
  options,
  registerApp,
  sim,
  useEcsSimulator,
} from './ecs-fixtures.js';

useEcsSimulator();

describe('with the image being deployed', () => {
  const NEW_IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:${'c'.repeat(64)}`;

  test('registers a revision running the image in the migration container and runs that revision', async () => {
    const td = registerApp({
      others: [
        {
          name: 'proxy',
          image: 'public.ecr.aws/envoy:v1',
          essential: false,
          command: ['node', '-e', 'setTimeout(() => {}, 10)'],
        },
      ],
    });
    const logger = new MemoryLogger();
    const before = sim.requestLog.length;
    const outcome = await runMigrationTask(
      options(td.family, node('console.log("migrated")'), { image: NEW_IMAGE }),
      { ecs, logs, logger },
    );
    expect(outcome.failure).toBeUndefined();
    expect(outcome.taskDefinitionArn).toBe(td.arn.replace(/:1$/, ':2'));
    expect(outcome).toMatchObject({ image: NEW_IMAGE, registeredFrom: td.arn });

    const calls = sim.requestLog.slice(before);
    const register = calls.find((c) => c.operation === 'RegisterTaskDefinition')!;
    const containers = (register.params as { containerDefinitions: ContainerDefinition[] })
      .containerDefinitions;
    expect(containers.map((c) => [c.name, c.image])).toEqual([
      ['app', NEW_IMAGE],
      ['proxy', 'public.ecr.aws/envoy:v1'],
    ]);
    // Only what RegisterTaskDefinition accepts: no read-only field of the description.
    for (const field of [
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy',
    ]) {
      expect(register.params).not.toHaveProperty(field);
    }
    expect(register.params).toMatchObject({
      family: td.family,
      executionRoleArn: EXECUTION_ROLE,
      cpu: '256',
    });
    const run = calls.find((c) => c.operation === 'RunTask')!;
    expect(run.params).toMatchObject({ taskDefinition: outcome.taskDefinitionArn });
    expect(calls.map((c) => c.operation).indexOf('RegisterTaskDefinition')).toBeLessThan(
      calls.map((c) => c.operation).indexOf('RunTask'),
    );
    expect(logger.text()).toContain(
      `Registered ${outcome.taskDefinitionArn} (from ${td.arn}) with app running ${NEW_IMAGE}.`,
    );
    const table = summarizeEcsTask(outcome)[0]!.table!;
    expect(table).toContainEqual([
      'Task definition',
      `${outcome.taskDefinitionArn} (registered from ${td.arn})`,
    ]);
    expect(table).toContainEqual(['Image', NEW_IMAGE]);
    expect(ecsTaskOutputs(outcome)['task-definition-arn']).toBe(outcome.taskDefinitionArn);
  });

  test('an unknown container is refused before anything is registered', async () => {
    const td = registerApp();
    const before = sim.requestLog.length;
    await expect(
      runMigrationTask(options(td.family, node('1'), { image: NEW_IMAGE, containerName: 'web' }), {
        ecs,
        logs,
        logger: new MemoryLogger(),
      }),
    ).rejects.toThrow('has no container named web');
    expect(sim.requestLog.slice(before).map((c) => c.operation)).toEqual([
      'DescribeTaskDefinition',
    ]);
  });

  test('revisionWithImage keeps everything registrable and the tags', () => {
    const request = revisionWithImage(
      {
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/app:7',
        family: 'app',
        revision: 7,
        status: 'ACTIVE',
        compatibilities: ['EC2', 'FARGATE'],
        requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.ecr-auth' }],
        registeredAt: new Date(0),
        registeredBy: 'arn:aws:iam::123456789012:role/ci',
        requiresCompatibilities: ['FARGATE'],
        taskRoleArn: 'arn:aws:iam::123456789012:role/app',
        volumes: [{ name: 'tmp' }],
        containerDefinitions: [
          { name: 'app', image: 'old:1', environment: [{ name: 'A', value: 'b' }] },
        ],
      },
      'app',
      'new@sha256:' + 'd'.repeat(64),
      [{ key: 'team', value: 'shop' }],
    );
    expect(request).toEqual({
      family: 'app',
      requiresCompatibilities: ['FARGATE'],
      taskRoleArn: 'arn:aws:iam::123456789012:role/app',
      volumes: [{ name: 'tmp' }],
      containerDefinitions: [
        {
          name: 'app',
          image: 'new@sha256:' + 'd'.repeat(64),
          environment: [{ name: 'A', value: 'b' }],
        },
      ],
      tags: [{ key: 'team', value: 'shop' }],
    });
  });
});
