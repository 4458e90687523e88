/**
 * GetLogEvents paging as CloudWatch Logs may answer it: partial pages and empty
 * pages with a new token while events remain; only the token given back
 * unchanged marks the end of the stream.
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startAwsSimulator, type AwsSimulator } from '../../../tools/aws-sim/index.js';
import { createLogsService, type LogsSimulator } from '../../../tools/aws-sim/services/logs.js';

const CREDENTIALS = {
  accessKeyId: 'AKIALOGSPAGINGTEST01',
  secretAccessKey: 'logs-paging-secret',
  arn: 'arn:aws:iam::123456789012:user/deployer',
};
const GROUP = '/ecs/migrate';
const STREAM = 'app/app/0123456789abcdef';

let sim: AwsSimulator;
let logsSim: LogsSimulator;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  sim = await startAwsSimulator();
  sim.addCredentials(CREDENTIALS);
  logsSim = createLogsService();
  sim.register(logsSim);
  logs = new CloudWatchLogsClient({
    endpoint: sim.url,
    region: 'eu-west-1',
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
  logsSim.control.createGroup(GROUP);
  logsSim.control.openStream(GROUP, STREAM);
  for (const line of ['one', 'two', 'three']) logsSim.control.append(GROUP, STREAM, line);
});

afterAll(async () => {
  logs.destroy();
  await sim.close();
});

afterEach(() => {
  logsSim.control.paging = {};
});

async function page(nextToken?: string) {
  return logs.send(
    new GetLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: STREAM,
      startFromHead: true,
      ...(nextToken ? { nextToken } : {}),
    }),
  );
}

test('by default one page holds every event, and the end repeats the token given', async () => {
  const first = await page();
  expect(first.events?.map((e) => e.message)).toEqual(['one', 'two', 'three']);
  const end = await page(first.nextForwardToken);
  expect(end.events).toEqual([]);
  expect(end.nextForwardToken).toBe(first.nextForwardToken);
});

test('empty and partial pages carry new tokens until the stream is read to its end', async () => {
  logsSim.control.paging = { emptyPages: 2, maxEventsPerPage: 2 };
  const answers: { messages: string[]; token: string }[] = [];
  let token: string | undefined;
  for (let i = 0; i < 20; i++) {
    const response = await page(token);
    const next = response.nextForwardToken!;
    answers.push({ messages: response.events!.map((e) => e.message!), token: next });
    if (next === token) break;
    token = next;
  }
  expect(answers.map((a) => a.messages)).toEqual([[], [], ['one', 'two'], [], [], ['three'], []]);
  // Every empty page but the last came with a token never seen before.
  const tokens = answers.map((a) => a.token);
  expect(new Set(tokens.slice(0, -1)).size).toBe(tokens.length - 1);
  expect(tokens.at(-1)).toBe(tokens.at(-2));
});
