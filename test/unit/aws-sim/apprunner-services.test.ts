// The simulator's App Runner beyond deploys: addressing and listing services (empty pages),
// pause, resume, delete, tags, the control API, throttling, and one operation on the real clock.
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceCommand,
  ListOperationsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  PauseServiceCommand,
  ResumeServiceCommand,
  StartDeploymentCommand,
  TagResourceCommand,
  UntagResourceCommand,
  paginateListOperations,
  paginateListServices,
  type OperationSummary,
} from '@aws-sdk/client-apprunner';
import { startAwsSimulator } from '../../../tools/aws-sim/index.js';
import { createAppRunnerService } from '../../../tools/aws-sim/services/apprunner.js';
import { rejectionOf } from './helpers.js';
import {
  USER,
  REGION,
  REPO,
  sim,
  apprunner,
  client,
  clock,
  advance,
  useAppRunnerSimulator,
  createInput,
  operations,
  describeService,
  appRunnerClient,
} from './apprunner-fixtures.js';

describe('App Runner in the AWS simulator, through @aws-sdk/client-apprunner', () => {
  useAppRunnerSimulator();

  describe('addressing services', () => {
    test('unknown, malformed and other-region ARNs', async () => {
      const seeded = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` });
      const missing = seeded.arn.replace(/[0-9a-f]{32}$/, '0'.repeat(32));
      const notFound = await rejectionOf(
        client.send(new DescribeServiceCommand({ ServiceArn: missing })),
      );
      expect(notFound.name).toBe('ResourceNotFoundException');
      expect(notFound.message).toContain(missing);

      const malformed = await rejectionOf(
        client.send(new DescribeServiceCommand({ ServiceArn: 'api' })),
      );
      expect(malformed.name).toBe('InvalidRequestException');
      expect(malformed.message).toContain("Value 'api' at 'serviceArn' failed to satisfy");

      const elsewhere = appRunnerClient(sim, 'eu-west-1');
      const otherRegion = await rejectionOf(
        elsewhere.send(new DescribeServiceCommand({ ServiceArn: seeded.arn })),
      );
      elsewhere.destroy();
      expect(otherRegion.name).toBe('ResourceNotFoundException');
    });
  });

  describe('listing', () => {
    test('ListServices pages with MaxResults and NextToken, and survives empty pages', async () => {
      for (const name of ['svc-a', 'svc-b', 'svc-c', 'svc-d', 'svc-e']) {
        apprunner.addService({ name, image: `${REPO}:v1` });
      }
      apprunner.addService({ name: 'svc-eu', image: `${REPO}:v1`, region: 'eu-west-1' });
      const first = await client.send(new ListServicesCommand({ MaxResults: 2 }));
      expect(first.ServiceSummaryList!.map((s) => s.ServiceName)).toEqual(['svc-a', 'svc-b']);
      expect(first.NextToken).toBeTruthy();
      expect(first.ServiceSummaryList![0]).toEqual({
        ServiceName: 'svc-a',
        ServiceId: expect.stringMatching(/^[0-9a-f]{32}$/),
        ServiceArn: expect.stringMatching(/:service\/svc-a\/[0-9a-f]{32}$/),
        ServiceUrl: expect.stringMatching(/\.us-east-1\.awsapprunner\.com$/),
        CreatedAt: expect.any(Date),
        UpdatedAt: expect.any(Date),
        Status: 'RUNNING',
      });

      apprunner.emptyPages(2, 'ListServices');
      const pages = [];
      for await (const page of paginateListServices({ client, pageSize: 2 }, {})) pages.push(page);
      expect(pages.map((p) => p.ServiceSummaryList!.length)).toEqual([0, 0, 2, 2, 1]);
      expect(pages.flatMap((p) => p.ServiceSummaryList!.map((s) => s.ServiceName))).toEqual([
        'svc-a',
        'svc-b',
        'svc-c',
        'svc-d',
        'svc-e',
      ]);
      expect(pages[0]!.NextToken).toBeTruthy();

      const all = await client.send(new ListServicesCommand({}));
      expect(all.ServiceSummaryList).toHaveLength(5);
      expect(all.NextToken).toBeUndefined();
    });

    test('ListOperations: newest first, paged, with empty pages', async () => {
      const arn = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` }).arn;
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        ids.unshift(
          (await client.send(new StartDeploymentCommand({ ServiceArn: arn }))).OperationId!,
        );
        advance(60_000);
      }
      apprunner.emptyPages(1);
      const seen: OperationSummary[] = [];
      let calls = 0;
      for await (const page of paginateListOperations(
        { client, pageSize: 2 },
        { ServiceArn: arn },
      )) {
        calls++;
        seen.push(...(page.OperationSummaryList ?? []));
      }
      expect(calls).toBe(4);
      expect(seen.map((o) => o.Type)).toEqual([
        'START_DEPLOYMENT',
        'START_DEPLOYMENT',
        'START_DEPLOYMENT',
        'START_DEPLOYMENT',
        'CREATE_SERVICE',
      ]);
      expect(seen.slice(0, 4).map((o) => o.Id)).toEqual(ids);
      const started = seen.map((o) => o.StartedAt!.getTime());
      expect([...started].sort((a, b) => b - a)).toEqual(started);
    });

    test('MaxResults outside 1..20 and foreign NextTokens are refused', async () => {
      const arn = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` }).arn;
      const tooMany = await rejectionOf(client.send(new ListServicesCommand({ MaxResults: 21 })));
      expect(tooMany.name).toBe('InvalidRequestException');
      expect(tooMany.message).toContain("at 'maxResults'");
      const { NextToken } = await (async () => {
        apprunner.emptyPages(1, 'ListServices');
        return client.send(new ListServicesCommand({}));
      })();
      const wrongList = await rejectionOf(
        client.send(new ListOperationsCommand({ ServiceArn: arn, NextToken })),
      );
      expect(wrongList.name).toBe('InvalidRequestException');
    });
  });

  describe('pause, resume, delete, tags', () => {
    test('the life cycle of a service', async () => {
      const arn = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` }).arn;
      const pause = await client.send(new PauseServiceCommand({ ServiceArn: arn }));
      expect(pause.Service!.Status).toBe('OPERATION_IN_PROGRESS');
      advance(60_000);
      expect((await describeService(arn)).Status).toBe('PAUSED');
      const deploy = await rejectionOf(
        client.send(new StartDeploymentCommand({ ServiceArn: arn })),
      );
      expect(deploy.name).toBe('InvalidStateException');

      await client.send(new ResumeServiceCommand({ ServiceArn: arn }));
      advance(60_000);
      expect((await describeService(arn)).Status).toBe('RUNNING');
      const resumeAgain = await rejectionOf(
        client.send(new ResumeServiceCommand({ ServiceArn: arn })),
      );
      expect(resumeAgain.message).toBe('Service cannot be resumed in the current state: RUNNING.');

      const deleted = await client.send(new DeleteServiceCommand({ ServiceArn: arn }));
      expect(deleted.OperationId).toBeTruthy();
      advance(60_000);
      const gone = await describeService(arn);
      expect(gone.Status).toBe('DELETED');
      expect(gone.DeletedAt).toEqual(new Date(clock));
      expect((await client.send(new ListServicesCommand({}))).ServiceSummaryList).toEqual([]);
      expect((await operations(arn)).map((o) => `${o.Type}:${o.Status}`)).toEqual([
        'DELETE_SERVICE:SUCCEEDED',
        'RESUME_SERVICE:SUCCEEDED',
        'PAUSE_SERVICE:SUCCEEDED',
        'CREATE_SERVICE:SUCCEEDED',
      ]);
      // The name is free again.
      const again = await client.send(new CreateServiceCommand(createInput()));
      expect(again.Service!.ServiceArn).not.toBe(arn);
    });

    test('tags', async () => {
      const arn = apprunner.addService({
        name: 'web-api',
        image: `${REPO}:v1`,
        tags: { a: '1' },
      }).arn;
      await client.send(
        new TagResourceCommand({
          ResourceArn: arn,
          Tags: [
            { Key: 'b', Value: '2' },
            { Key: 'a', Value: '3' },
          ],
        }),
      );
      await client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['b'] }));
      const { Tags } = await client.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
      expect(Tags).toEqual([{ Key: 'a', Value: '3' }]);
      const reserved = await rejectionOf(
        client.send(
          new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'aws:x', Value: '' }] }),
        ),
      );
      expect(reserved.name).toBe('InvalidRequestException');
    });
  });

  describe('control API', () => {
    test('addService seeds paused, failed and busy services', () => {
      expect(
        apprunner.addService({ name: 'paused', image: `${REPO}:v1`, status: 'PAUSED' }).status,
      ).toBe('PAUSED');
      const failed = apprunner.addService({
        name: 'broken',
        image: `${REPO}:v1`,
        status: 'CREATE_FAILED',
      });
      expect(failed.status).toBe('CREATE_FAILED');
      expect(failed.live).toBeUndefined();
      expect(apprunner.operationsOf('broken')[0]).toMatchObject({
        type: 'CREATE_SERVICE',
        status: 'FAILED',
      });
      const busy = apprunner.addService({
        name: 'busy',
        image: `${REPO}:v1`,
        status: 'OPERATION_IN_PROGRESS',
      });
      expect(busy.status).toBe('OPERATION_IN_PROGRESS');
      expect(apprunner.operationsOf('busy')[0]).toMatchObject({
        type: 'UPDATE_SERVICE',
        status: 'IN_PROGRESS',
        foreign: true,
      });
    });

    test('foreign operations do not consume the script', async () => {
      const arn = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` }).arn;
      apprunner.script('web-api', ['health-check-fails']);
      apprunner.startOperation('web-api', 'START_DEPLOYMENT', { durationMs: 1_000 });
      advance(1_000);
      expect(apprunner.service('web-api').status).toBe('RUNNING');
      await client.send(new StartDeploymentCommand({ ServiceArn: arn }));
      advance(90_000);
      expect((await operations(arn))[0]!.Status).toBe('ROLLBACK_SUCCEEDED');
    });

    test('timing per service and PENDING phases', async () => {
      const arn = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` }).arn;
      apprunner.setOperationTiming({ pendingMs: 5_000, durationMs: 10_000 }, 'web-api');
      await client.send(new StartDeploymentCommand({ ServiceArn: arn }));
      expect((await operations(arn))[0]!.Status).toBe('PENDING');
      advance(5_000);
      expect((await operations(arn))[0]!.Status).toBe('IN_PROGRESS');
      advance(10_000);
      expect((await operations(arn))[0]!.Status).toBe('SUCCEEDED');
    });
  });

  test('throttling from the fault injector is retried by the SDK', async () => {
    const arn = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` }).arn;
    sim.faults.add({
      service: 'apprunner',
      operation: 'DescribeService',
      kind: 'throttle',
      count: 2,
    });
    const response = await client.send(new DescribeServiceCommand({ ServiceArn: arn }));
    expect(response.$metadata.attempts).toBe(3);

    sim.faults.add({ service: 'apprunner', kind: 'throttle' });
    const noRetry = appRunnerClient(sim, REGION, { maxAttempts: 1 });
    const error = await rejectionOf(noRetry.send(new ListServicesCommand({})));
    noRetry.destroy();
    expect(error.name).toBe('ThrottlingException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(sim.requestLog.at(-1)).toMatchObject({
      service: 'apprunner',
      operation: 'ListServices',
      errorCode: 'ThrottlingException',
      fault: 'throttle',
    });
  });
});

test('on the real clock, an operation ends after its duration', async () => {
  const sim = await startAwsSimulator();
  sim.addCredentials(USER);
  const apprunner = createAppRunnerService({ operationDurationMs: 50 });
  sim.register(apprunner);
  const client = appRunnerClient(sim);
  try {
    const arn = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` }).arn;
    const { OperationId } = await client.send(new StartDeploymentCommand({ ServiceArn: arn }));
    const deadline = Date.now() + 10_000;
    let status: string | undefined;
    while (Date.now() < deadline) {
      const { OperationSummaryList } = await client.send(
        new ListOperationsCommand({ ServiceArn: arn, MaxResults: 1 }),
      );
      status = OperationSummaryList?.[0]?.Status;
      if (status === 'SUCCEEDED') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe('SUCCEEDED');
    const [operation] = apprunner.operationsOf('web-api');
    expect(operation!.id).toBe(OperationId);
    expect(operation!.endedAt!.getTime() - operation!.startedAt.getTime()).toBe(50);
  } finally {
    client.destroy();
    await sim.close();
  }
});
