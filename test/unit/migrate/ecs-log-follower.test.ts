/**
 * The migration task's log follower against CloudWatch Logs paging as the real
 * service may answer: empty and partial pages with new tokens while events
 * remain. A read drains until the token comes back unchanged, so the last lines
 * (those that explain a failure) are shown.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LogFollower } from '../../../packages/migrate/src/ecs/index.js';
import { startAwsSimulator, type AwsSimulator } from '../../../tools/aws-sim/index.js';
import { createLogsService, type LogsSimulator } from '../../../tools/aws-sim/services/logs.js';

const CREDENTIALS = {
  accessKeyId: 'AKIALOGFOLLOWERTEST1',
  secretAccessKey: 'log-follower-secret',
  arn: 'arn:aws:iam::123456789012:user/deployer',
};
const TARGET = {
  group: '/ecs/migrate',
  stream: 'migrate/app/0123456789abcdef',
  region: 'eu-west-1',
};

let sim: AwsSimulator;
let logsSim: LogsSimulator;
let client: CloudWatchLogsClient;

beforeAll(async () => {
  sim = await startAwsSimulator();
  sim.addCredentials(CREDENTIALS);
  logsSim = createLogsService();
  sim.register(logsSim);
  client = new CloudWatchLogsClient({
    endpoint: sim.url,
    region: TARGET.region,
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
  logsSim.control.createGroup(TARGET.group);
});

afterAll(async () => {
  client.destroy();
  await sim.close();
});

let streamCount = 0;
function newTarget() {
  const target = { ...TARGET, stream: `${TARGET.stream}-${++streamCount}` };
  logsSim.control.openStream(target.group, target.stream);
  return target;
}

test.each([
  [{ emptyPages: 1 }],
  [{ emptyPages: 3, maxEventsPerPage: 2 }],
  [{ maxEventsPerPage: 1 }],
])('one read shows every line that has arrived, paged %j', async (paging) => {
  logsSim.control.paging = paging;
  const target = newTarget();
  const lines: string[] = [];
  const follower = new LogFollower(client, target, (line) => lines.push(line));
  for (const line of [
    'Applying 0001_init.sql',
    'Applying 0002_users.sql',
    'ERROR: relation "users" already exists',
  ]) {
    logsSim.control.append(target.group, target.stream, line);
  }
  await follower.read();
  expect(lines).toEqual([
    'Applying 0001_init.sql',
    'Applying 0002_users.sql',
    'ERROR: relation "users" already exists',
  ]);
  expect(follower.lastLine).toBe('ERROR: relation "users" already exists');

  // Lines written after a caught-up read are the next read's, behind empty pages again.
  logsSim.control.append(target.group, target.stream, 'exit 1');
  await follower.read();
  expect(lines.at(-1)).toBe('exit 1');
  expect(lines).toHaveLength(4);
});
