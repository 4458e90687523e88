/** Streams the migration container's CloudWatch Logs into the job log. */
import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { callWith, errorCode, translateAwsError } from '@deploy-actions/aws';
import { ECS_MODE_CALLS } from './calls.js';
import type { TaskLogTarget } from './types.js';

const MAX_PAGES_PER_READ = 100;

/**
 * Follows one log stream from its head: each read fetches every page that
 * has arrived, following nextForwardToken until it comes back unchanged
 * (CloudWatch's sign that there is nothing newer yet; an empty page is not).
 * A stream that does not exist yet (the container has not written) is
 * simply empty.
 */
export class LogFollower {
  private token: string | undefined;
  lastLine: string | undefined;
  lines = 0;

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly target: TaskLogTarget,
    private readonly onLine: (line: string) => void,
  ) {}

  async read(): Promise<number> {
    let count = 0;
    for (let page = 0; page < MAX_PAGES_PER_READ; page++) {
      const response = await callWith(
        ECS_MODE_CALLS,
        'GetLogEvents',
        {
          resource: `${this.target.group}:log-stream:${this.target.stream}`,
          region: this.target.region,
        },
        () =>
          this.client.send(
            new GetLogEventsCommand({
              logGroupName: this.target.group,
              logStreamName: this.target.stream,
              startFromHead: true,
              ...(this.token ? { nextToken: this.token } : {}),
            }),
          ),
        {
          onError: (error, context) => {
            if (errorCode(error) === 'ResourceNotFoundException') return undefined;
            throw translateAwsError(error, context);
          },
        },
      );
      if (response === undefined) return count;
      for (const event of response.events ?? []) {
        const message = (event.message ?? '').replace(/\r?\n$/, '');
        for (const line of message.split(/\r?\n/)) {
          this.onLine(line);
          if (saysSomething(line)) this.lastLine = line;
        }
        count++;
        this.lines++;
      }
      // Only the token coming back unchanged means caught up: CloudWatch may answer an
      // empty or partial page with a new token while more events remain (API_GetLogEvents).
      const next = response.nextForwardToken;
      const caughtUp = next === undefined || next === this.token;
      if (next !== undefined) this.token = next;
      if (caughtUp) return count;
    }
    return count;
  }
}

/** A line worth quoting as the failure's cause: not blank, not just the brackets that close a JSON dump. */
function saysSomething(line: string): boolean {
  return /[\p{L}\p{N}]/u.test(line);
}
