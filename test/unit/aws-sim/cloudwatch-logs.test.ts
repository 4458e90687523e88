// The simulator's CloudWatch Logs through the real SDK client: GetLogEvents paging tokens,
// missing groups and streams, FilterLogEvents and DescribeLogStreams.
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { rejectionOf } from './helpers.js';
import { logs, logsSim, useEcsLogsSimulator } from './ecs-logs-fixtures.js';

useEcsLogsSimulator();

describe('CloudWatch Logs', () => {
  const group = '/unit/logs';

  beforeAll(async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'a' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'b' }));
    const base = Date.now() - 10_000;
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: 'a',
        logEvents: [1, 2, 3, 4, 5].map((n) => ({ timestamp: base + n, message: `a${n}` })),
      }),
    );
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: 'b',
        logEvents: [{ timestamp: base + 3, message: 'b3 error here' }],
      }),
    );
  });

  test('GetLogEvents from the head pages forward; the token repeats when nothing is new', async () => {
    const first = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: 'a',
        startFromHead: true,
        limit: 2,
      }),
    );
    expect(first.events?.map((e) => e.message)).toEqual(['a1', 'a2']);
    expect(typeof first.events?.[0]?.timestamp).toBe('number');
    expect(first.nextForwardToken).toMatch(/^f\/\d{56}\/s$/);
    expect(first.nextBackwardToken).toMatch(/^b\/\d{56}\/s$/);
    const second = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: 'a',
        startFromHead: true,
        nextToken: first.nextForwardToken,
      }),
    );
    expect(second.events?.map((e) => e.message)).toEqual(['a3', 'a4', 'a5']);
    const caughtUp = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: 'a',
        startFromHead: true,
        nextToken: second.nextForwardToken,
      }),
    );
    expect(caughtUp.events).toEqual([]);
    expect(caughtUp.nextForwardToken).toBe(second.nextForwardToken);

    logsSim.control.append(group, 'a', 'a6');
    const more = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: 'a',
        startFromHead: true,
        nextToken: caughtUp.nextForwardToken,
      }),
    );
    expect(more.events?.map((e) => e.message)).toEqual(['a6']);
    expect(more.nextForwardToken).not.toBe(caughtUp.nextForwardToken);

    const back = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: 'a',
        nextToken: second.nextBackwardToken,
        limit: 1,
      }),
    );
    expect(back.events?.map((e) => e.message)).toEqual(['a2']);
  });

  test('GetLogEvents without a token and without startFromHead returns the newest events', async () => {
    const newest = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: 'a', limit: 2 }),
    );
    expect(newest.events?.map((e) => e.message)).toEqual(['a5', 'a6']);
  });

  test('a missing group or stream is ResourceNotFoundException; duplicates are refused', async () => {
    const noGroup = await rejectionOf(
      logs.send(new GetLogEventsCommand({ logGroupName: '/nope', logStreamName: 'a' })),
    );
    expect(noGroup.name).toBe('ResourceNotFoundException');
    expect(noGroup.message).toBe('The specified log group does not exist.');
    const noStream = await rejectionOf(
      logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'zzz' })),
    );
    expect(noStream.message).toBe('The specified log stream does not exist.');
    const again = await rejectionOf(logs.send(new CreateLogGroupCommand({ logGroupName: group })));
    expect(again.name).toBe('ResourceAlreadyExistsException');
  });

  test('FilterLogEvents and DescribeLogStreams', async () => {
    const filtered = await logs.send(
      new FilterLogEventsCommand({ logGroupName: group, filterPattern: 'error' }),
    );
    expect(filtered.events?.map((e) => [e.logStreamName, e.message])).toEqual([
      ['b', 'b3 error here'],
    ]);
    const all = await logs.send(
      new FilterLogEventsCommand({ logGroupName: group, logStreamNamePrefix: 'a', limit: 4 }),
    );
    expect(all.events?.map((e) => e.message)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(all.nextToken).toBeDefined();
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
    expect(streams.logStreams?.map((s) => s.logStreamName)).toEqual(['a', 'b']);
    expect(streams.logStreams?.[1]?.arn).toMatch(/:log-group:\/unit\/logs:log-stream:b$/);
  });
});
