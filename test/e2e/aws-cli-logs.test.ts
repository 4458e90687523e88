/**
 * Protocol fidelity of the simulator's CloudWatch Logs (awsJson1_1,
 * `Logs_20140328`), checked with the AWS CLI. Rows build on each other: a
 * group and streams are created, events put, then read back the ways the
 * ECS migration mode reads them (GetLogEvents from the head, following
 * nextForwardToken until it repeats).
 *
 * @needs awscli
 */
import { CLI_USER, describeCliFidelity, type CliRow } from '../support/aws-cli.js';
import { createLogsService } from '../../tools/aws-sim/services/logs.js';

const GROUP = '/ecs/cli-app';
const STREAM = 'ecs/app/0123456789abcdef0123456789abcdef';
const BASE = Date.now() - 60_000;

/** Tokens one row hands to the next (args are computed when the row runs). */
const tokens: { forward?: string } = {};

const rows: CliRow[] = [
  {
    name: 'create-log-group',
    operation: 'logs:CreateLogGroup',
    args: () => ['logs', 'create-log-group', '--log-group-name', GROUP],
    check: ({ stdout }) => expect(stdout).toBe(''),
  },
  {
    name: 'create-log-group: already exists',
    operation: 'logs:CreateLogGroup',
    args: () => ['logs', 'create-log-group', '--log-group-name', GROUP],
    expectError: 'ResourceAlreadyExistsException',
  },
  {
    name: 'create-log-group: invalid name',
    operation: 'logs:CreateLogGroup',
    args: () => ['logs', 'create-log-group', '--log-group-name', 'no spaces allowed'],
    expectError: 'InvalidParameterException',
  },
  {
    name: 'create-log-stream',
    operation: 'logs:CreateLogStream',
    args: () => [
      'logs',
      'create-log-stream',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      STREAM,
    ],
  },
  {
    name: 'create-log-stream: the group does not exist',
    operation: 'logs:CreateLogStream',
    args: () => [
      'logs',
      'create-log-stream',
      '--log-group-name',
      '/nope',
      '--log-stream-name',
      's',
    ],
    expectError: 'ResourceNotFoundException',
    check: ({ stderr }) => expect(stderr).toContain('The specified log group does not exist.'),
  },
  {
    name: 'put-log-events',
    operation: 'logs:PutLogEvents',
    args: () => [
      'logs',
      'put-log-events',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      STREAM,
      '--log-events',
      JSON.stringify([
        { timestamp: BASE + 1, message: 'Applying V1__init' },
        { timestamp: BASE + 2, message: 'Applying V2__users' },
        { timestamp: BASE + 3, message: 'done' },
      ]),
    ],
    check: ({ output }) =>
      expect(output).toEqual({ nextSequenceToken: expect.stringMatching(/^\d{56}$/) }),
  },
  {
    name: 'put-log-events: not in chronological order',
    operation: 'logs:PutLogEvents',
    args: () => [
      'logs',
      'put-log-events',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      STREAM,
      '--log-events',
      JSON.stringify([
        { timestamp: BASE + 5, message: 'later' },
        { timestamp: BASE + 4, message: 'earlier' },
      ]),
    ],
    expectError: 'InvalidParameterException',
  },
  {
    name: 'get-log-events --start-from-head with a limit',
    operation: 'logs:GetLogEvents',
    args: () => [
      'logs',
      'get-log-events',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      STREAM,
      '--start-from-head',
      '--limit',
      '2',
    ],
    check: ({ output }) => {
      expect(output).toEqual({
        events: [
          { timestamp: BASE + 1, message: 'Applying V1__init', ingestionTime: expect.any(Number) },
          { timestamp: BASE + 2, message: 'Applying V2__users', ingestionTime: expect.any(Number) },
        ],
        nextForwardToken: expect.stringMatching(/^f\/\d{56}\/s$/),
        nextBackwardToken: expect.stringMatching(/^b\/\d{56}\/s$/),
      });
      tokens.forward = output!.nextForwardToken as string;
    },
  },
  {
    name: 'get-log-events --next-token: the rest, then the same token again',
    operation: 'logs:GetLogEvents',
    args: () => [
      'logs',
      'get-log-events',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      STREAM,
      '--start-from-head',
      '--next-token',
      tokens.forward!,
    ],
    check: ({ output }) => {
      expect((output!.events as Array<{ message: string }>).map((e) => e.message)).toEqual([
        'done',
      ]);
      tokens.forward = output!.nextForwardToken as string;
    },
  },
  {
    name: 'get-log-events: caught up, the forward token repeats',
    operation: 'logs:GetLogEvents',
    args: () => [
      'logs',
      'get-log-events',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      STREAM,
      '--start-from-head',
      '--next-token',
      tokens.forward!,
    ],
    check: ({ output }) => {
      expect(output!.events).toEqual([]);
      expect(output!.nextForwardToken).toBe(tokens.forward);
    },
  },
  {
    name: 'get-log-events: the stream does not exist (yet)',
    operation: 'logs:GetLogEvents',
    args: () => [
      'logs',
      'get-log-events',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      'ecs/app/not-started',
    ],
    expectError: 'ResourceNotFoundException',
    check: ({ stderr }) => expect(stderr).toContain('The specified log stream does not exist.'),
  },
  {
    name: 'get-log-events: a malformed token',
    operation: 'logs:GetLogEvents',
    args: () => [
      'logs',
      'get-log-events',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      STREAM,
      '--next-token',
      'garbage',
    ],
    expectError: 'InvalidParameterException',
  },
  {
    name: 'describe-log-streams',
    operation: 'logs:DescribeLogStreams',
    args: () => ['logs', 'describe-log-streams', '--log-group-name', GROUP],
    check: ({ output }) =>
      expect(output).toEqual({
        logStreams: [
          {
            logStreamName: STREAM,
            creationTime: expect.any(Number),
            firstEventTimestamp: BASE + 1,
            lastEventTimestamp: BASE + 3,
            lastIngestionTime: expect.any(Number),
            uploadSequenceToken: expect.any(String),
            arn: `arn:aws:logs:us-east-1:123456789012:log-group:${GROUP}:log-stream:${STREAM}`,
            storedBytes: 0,
          },
        ],
      }),
  },
  {
    name: 'describe-log-streams: prefix with LastEventTime ordering is refused',
    operation: 'logs:DescribeLogStreams',
    args: () => [
      'logs',
      'describe-log-streams',
      '--log-group-name',
      GROUP,
      '--log-stream-name-prefix',
      'ecs/',
      '--order-by',
      'LastEventTime',
    ],
    expectError: 'InvalidParameterException',
  },
  {
    name: 'filter-log-events (the CLI pages through nextToken)',
    operation: 'logs:FilterLogEvents',
    args: () => [
      'logs',
      'filter-log-events',
      '--log-group-name',
      GROUP,
      '--filter-pattern',
      'Applying',
      '--page-size',
      '1',
    ],
    check: ({ output }, f) => {
      expect((output!.events as Array<{ message: string }>).map((e) => e.message)).toEqual([
        'Applying V1__init',
        'Applying V2__users',
      ]);
      expect(output!.events).toEqual([
        expect.objectContaining({ logStreamName: STREAM, eventId: expect.any(String) }),
        expect.anything(),
      ]);
      const pages = f.sim.requestLog.filter((e) => e.operation === 'FilterLogEvents').slice(-2);
      expect(
        pages.map((p) => (p.params as { nextToken?: string }).nextToken !== undefined),
      ).toEqual([false, true]);
    },
  },
  {
    name: 'filter-log-events: the group does not exist',
    operation: 'logs:FilterLogEvents',
    args: () => ['logs', 'filter-log-events', '--log-group-name', '/nope'],
    expectError: 'ResourceNotFoundException',
  },
];

describeCliFidelity('CloudWatch Logs', {
  services: () => [createLogsService()],
  credentials: () => CLI_USER,
  rows,
});
