/**
 * CloudWatch Logs in the simulator (awsJson1_1, `Logs_20140328`): log groups,
 * log streams and their events, written by PutLogEvents or — as the awslogs
 * log driver does for a running ECS task — by the ECS module through
 * `control.append`, and read back by GetLogEvents, FilterLogEvents and
 * DescribeLogStreams.
 *
 * GetLogEvents pages the way the real service does: tokens are opaque
 * `f/<position>/s` (forward) and `b/<position>/s` (backward) strings, and
 * when no new event has arrived the answer carries the very token it was
 * given, which is how a follower knows it has caught up; `control.paging`
 * makes pages partial or empty (with a new token) while more events remain,
 * as the real service may answer. Without a token,
 * `startFromHead: true` reads from the oldest event, otherwise the newest
 * `limit` events are returned. Timestamps are epoch milliseconds (the Logs
 * model's `Timestamp` is a long, unlike ECS's).
 *
 * Wire details checked with the AWS CLI (test/e2e/aws-cli-logs.test.ts). Not
 * modelled: regions and accounts (one namespace of groups), retention, KMS,
 * the 1 MB response cap (only the event count limit applies), and the full
 * filter-pattern language (FilterLogEvents matches space-separated terms and
 * "quoted phrases" that must all appear, `-term` to exclude).
 */
import { SimError } from '../errors.js';
import type { JsonObject, JsonResult, JsonServiceModule } from '../types.js';

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_NAME = /^[^:*]{1,512}$/;
const DAY_MS = 24 * 3_600_000;

export interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

export interface LogStreamState {
  name: string;
  creationTime: number;
  events: LogEvent[];
  lastIngestionTime?: number;
  sequence: number;
}

export interface LogGroupState {
  name: string;
  arn: string;
  creationTime: number;
  streams: Map<string, LogStreamState>;
}

export interface LogsControl {
  readonly groups: Map<string, LogGroupState>;
  /** Creates the group (unless it exists) as CreateLogGroup would; for test setup and the ECS module. */
  createGroup(name: string, region?: string): LogGroupState;
  /**
   * Creates the stream as the awslogs driver does when a container starts.
   * Returns false when the group does not exist and `createGroup` is false
   * (the driver's "awslogs-create-group" option).
   */
  openStream(group: string, stream: string, options?: { createGroup?: boolean }): boolean;
  /** Appends one event (now, or at `timestamp`) to an open stream, as the log driver does. */
  append(group: string, stream: string, message: string, timestamp?: number): void;
  /** The messages of a stream, oldest first; [] when it does not exist. */
  messages(group: string, stream: string): string[];
  /** How GetLogEvents pages forward; by default every page is as full as `limit` allows. */
  paging: LogsPaging;
}

/**
 * GetLogEvents "returns as many log events as can fit in a response size of 1 MB (up to
 * 10,000 log events)" and may answer a page with no events, or fewer than remain, while
 * more are on their way through its token: only "the same token you passed in" means the
 * end of the stream (API_GetLogEvents.html; the model's nextForwardToken). These make
 * the simulator answer that way, so a reader that stops early is caught.
 */
export interface LogsPaging {
  /** Events per page at most (the 1 MB cap standing in for large events). */
  maxEventsPerPage?: number;
  /** Forward pages answered empty, each with a new token, before the events they lead to. */
  emptyPages?: number;
}

export interface LogsSimulator extends JsonServiceModule {
  control: LogsControl;
}

export interface LogsOptions {
  accountId?: string;
  /** The clock ingestion times come from; the real clock by default. */
  now?: () => number;
}

export function createLogsService(options: LogsOptions = {}): LogsSimulator {
  const accountId = options.accountId ?? '123456789012';
  const now = options.now ?? (() => Date.now());
  const groups = new Map<string, LogGroupState>();

  const newGroup = (name: string, region: string, time: number): LogGroupState => {
    const group: LogGroupState = {
      name,
      arn: `arn:aws:logs:${region}:${accountId}:log-group:${name}`,
      creationTime: time,
      streams: new Map(),
    };
    groups.set(name, group);
    return group;
  };
  const groupOf = (params: JsonObject): LogGroupState => {
    const name = groupName(params);
    const group = groups.get(name);
    if (!group) {
      throw new SimError('ResourceNotFoundException', 'The specified log group does not exist.');
    }
    return group;
  };
  const streamOf = (group: LogGroupState, name: string): LogStreamState => {
    const stream = group.streams.get(name);
    if (!stream) {
      throw new SimError('ResourceNotFoundException', 'The specified log stream does not exist.');
    }
    return stream;
  };
  const insert = (stream: LogStreamState, event: LogEvent) => {
    // Events are kept in timestamp order (stable for equal timestamps), as GetLogEvents reads them.
    let at = stream.events.length;
    while (at > 0 && stream.events[at - 1]!.timestamp > event.timestamp) at--;
    stream.events.splice(at, 0, event);
    stream.lastIngestionTime = event.ingestionTime;
  };

  const control: LogsControl = {
    groups,
    createGroup: (name, region = 'us-east-1') => groups.get(name) ?? newGroup(name, region, now()),
    openStream(groupName, streamName, { createGroup = false } = {}) {
      let group = groups.get(groupName);
      if (!group) {
        if (!createGroup) return false;
        group = newGroup(groupName, 'us-east-1', now());
      }
      if (!group.streams.has(streamName)) {
        group.streams.set(streamName, {
          name: streamName,
          creationTime: now(),
          events: [],
          sequence: 0,
        });
      }
      return true;
    },
    append(groupName, streamName, message, timestamp) {
      const stream = groups.get(groupName)?.streams.get(streamName);
      if (!stream) throw new Error(`append: no log stream ${groupName} / ${streamName}`);
      const ingestionTime = now();
      insert(stream, { timestamp: timestamp ?? ingestionTime, message, ingestionTime });
    },
    paging: {},
    messages: (groupName, streamName) =>
      groups
        .get(groupName)
        ?.streams.get(streamName)
        ?.events.map((e) => e.message) ?? [],
  };

  const operations: JsonServiceModule['operations'] = {
    CreateLogGroup: (params, ctx): void => {
      const name = String(params.logGroupName ?? '');
      if (!GROUP_NAME.test(name)) throw invalidName('logGroupName', name, GROUP_NAME);
      if (groups.has(name)) {
        throw new SimError(
          'ResourceAlreadyExistsException',
          'The specified log group already exists',
        );
      }
      newGroup(name, ctx.region, ctx.now().getTime());
    },

    CreateLogStream: (params, ctx): void => {
      const group = groupOf(params);
      const name = String(params.logStreamName ?? '');
      if (!STREAM_NAME.test(name)) throw invalidName('logStreamName', name, STREAM_NAME);
      if (group.streams.has(name)) {
        throw new SimError(
          'ResourceAlreadyExistsException',
          'The specified log stream already exists',
        );
      }
      group.streams.set(name, {
        name,
        creationTime: ctx.now().getTime(),
        events: [],
        sequence: 0,
      });
    },

    PutLogEvents: (params, ctx): JsonResult => {
      const group = groupOf(params);
      const stream = streamOf(group, String(params.logStreamName ?? ''));
      const events = (params.logEvents as JsonObject[] | undefined) ?? [];
      if (events.length === 0 || events.length > 10_000) {
        throw new SimError(
          'InvalidParameterException',
          "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length between 1 and 10000",
        );
      }
      const timestamps = events.map((e) => Number(e.timestamp));
      if (timestamps.some((t, i) => i > 0 && t < timestamps[i - 1]!)) {
        throw new SimError(
          'InvalidParameterException',
          'Log events in a single PutLogEvents request must be in chronological order.',
        );
      }
      const time = ctx.now().getTime();
      const rejected: JsonObject = {};
      events.forEach((event, index) => {
        const timestamp = Number(event.timestamp);
        if (timestamp > time + 2 * 3_600_000) {
          rejected.tooNewLogEventStartIndex ??= index;
          return;
        }
        if (timestamp < time - 14 * DAY_MS) {
          rejected.tooOldLogEventEndIndex = index;
          return;
        }
        insert(stream, { timestamp, message: String(event.message ?? ''), ingestionTime: time });
      });
      stream.sequence += 1;
      return {
        nextSequenceToken: sequenceToken(stream.sequence),
        ...(Object.keys(rejected).length ? { rejectedLogEventsInfo: rejected } : {}),
      };
    },

    DescribeLogStreams: (params): JsonResult => {
      const group = groupOf(params);
      const prefix = params.logStreamNamePrefix as string | undefined;
      const orderBy = String(params.orderBy ?? 'LogStreamName');
      if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
        throw new SimError(
          'InvalidParameterException',
          `1 validation error detected: Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`,
        );
      }
      if (prefix !== undefined && orderBy === 'LastEventTime') {
        throw new SimError(
          'InvalidParameterException',
          'Cannot order by LastEventTime with a logStreamNamePrefix.',
        );
      }
      let streams = [...group.streams.values()].filter(
        (s) => prefix === undefined || s.name.startsWith(prefix),
      );
      streams =
        orderBy === 'LogStreamName'
          ? streams.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
          : streams.sort((a, b) => lastEvent(a) - lastEvent(b));
      if (params.descending === true) streams.reverse();
      const { items, nextToken } = page(streams, params, 50, 50);
      return {
        logStreams: items.map((s) => ({
          logStreamName: s.name,
          creationTime: s.creationTime,
          ...(s.events.length
            ? {
                firstEventTimestamp: s.events[0]!.timestamp,
                lastEventTimestamp: s.events.at(-1)!.timestamp,
              }
            : {}),
          ...(s.lastIngestionTime !== undefined ? { lastIngestionTime: s.lastIngestionTime } : {}),
          uploadSequenceToken: sequenceToken(s.sequence),
          arn: `${group.arn}:log-stream:${s.name}`,
          storedBytes: 0,
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },

    GetLogEvents: (params): JsonResult => {
      const group = groupOf(params);
      const stream = streamOf(group, String(params.logStreamName ?? ''));
      const limit = eventLimit(params);
      const events = inTimeRange(stream.events, params);
      const total = events.length;
      let start: number;
      let end: number;
      const { maxEventsPerPage = limit, emptyPages = 0 } = control.paging;
      const forwardLimit = Math.min(limit, maxEventsPerPage);
      const given = params.nextToken === undefined ? undefined : String(params.nextToken);
      const parsed = given === undefined ? undefined : parseToken(given);
      if (parsed?.direction === 'f' || (!parsed && params.startFromHead === true)) {
        start = Math.min(parsed?.position ?? 0, total);
        const hops = parsed?.hops ?? 0;
        if (start < total && hops < emptyPages) {
          return {
            events: [],
            nextForwardToken: token('f', start, hops + 1),
            nextBackwardToken: token('b', start),
          };
        }
        end = Math.min(total, start + forwardLimit);
        return {
          events: events.slice(start, end).map(outputEvent),
          // At the end of the stream the answer carries the token it was given.
          nextForwardToken: end === start && given !== undefined ? given : token('f', end),
          nextBackwardToken: token('b', start),
        };
      }
      if (parsed) {
        const position = Math.min(parsed.position, total);
        start = Math.max(0, position - limit);
        end = position;
      } else {
        start = Math.max(0, total - limit);
        end = total;
      }
      return {
        events: events.slice(start, end).map(outputEvent),
        nextForwardToken: token('f', end),
        nextBackwardToken: token('b', start),
      };
    },

    FilterLogEvents: (params): JsonResult => {
      const group = groupOf(params);
      const names = params.logStreamNames as string[] | undefined;
      const prefix = params.logStreamNamePrefix as string | undefined;
      if (names !== undefined && prefix !== undefined) {
        throw new SimError(
          'InvalidParameterException',
          'logStreamNames and logStreamNamePrefix are mutually exclusive',
        );
      }
      const streams = [...group.streams.values()].filter(
        (s) =>
          (names === undefined || names.includes(s.name)) &&
          (prefix === undefined || s.name.startsWith(prefix)),
      );
      if (names !== undefined && names.some((n) => !group.streams.has(n))) {
        throw new SimError('ResourceNotFoundException', 'The specified log stream does not exist.');
      }
      const matches = filterPattern(String(params.filterPattern ?? ''));
      const found = streams
        .flatMap((s) =>
          inTimeRange(s.events, params).map((e, index) => ({ stream: s.name, index, event: e })),
        )
        .filter(({ event }) => matches(event.message))
        .sort(
          (a, b) =>
            a.event.timestamp - b.event.timestamp ||
            (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : a.index - b.index),
        );
      const { items, nextToken } = page(found, params, eventLimit(params), 10_000, 'limit');
      return {
        events: items.map(({ stream, index, event }) => ({
          logStreamName: stream,
          timestamp: event.timestamp,
          message: event.message,
          ingestionTime: event.ingestionTime,
          eventId: eventId(event.timestamp, stream, index),
        })),
        searchedLogStreams: streams.map((s) => ({
          logStreamName: s.name,
          searchedCompletely: true,
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
  };

  return {
    name: 'logs',
    endpointEnvSuffix: 'CLOUDWATCH_LOGS',
    protocol: 'json',
    jsonVersion: '1.1',
    targetPrefix: 'Logs_20140328',
    operations,
    control,
  };
}

/** logGroupName or logGroupIdentifier (a name or an ARN), exactly one of them. */
function groupName(params: JsonObject): string {
  const name = params.logGroupName as string | undefined;
  const identifier = params.logGroupIdentifier as string | undefined;
  if (name !== undefined && identifier !== undefined) {
    throw new SimError(
      'InvalidParameterException',
      'LogGroupName and LogGroupIdentifier are mutually exclusive parameters.',
    );
  }
  if (name === undefined && identifier === undefined) {
    throw new SimError(
      'InvalidParameterException',
      'Either LogGroupName or LogGroupIdentifier must be specified.',
    );
  }
  if (identifier !== undefined && identifier.startsWith('arn:')) {
    const match = /^arn:aws[a-z-]*:logs:[^:]*:\d{12}:log-group:([^:]+)(?::\*)?$/.exec(identifier);
    if (!match) {
      throw new SimError('InvalidParameterException', `Invalid log group ARN: ${identifier}`);
    }
    return match[1]!;
  }
  return String(name ?? identifier);
}

function invalidName(field: string, value: string, pattern: RegExp): SimError {
  return new SimError(
    'InvalidParameterException',
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern.source.replace(/^\^|\$$/g, '')}`,
  );
}

function eventLimit(params: JsonObject): number {
  const limit = params.limit === undefined ? 10_000 : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new SimError(
      'InvalidParameterException',
      `1 validation error detected: Value '${String(params.limit)}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000`,
    );
  }
  return limit;
}

/** startTime inclusive, endTime exclusive, as the API documents. */
function inTimeRange(events: LogEvent[], params: JsonObject): LogEvent[] {
  const from = params.startTime === undefined ? -Infinity : Number(params.startTime);
  const to = params.endTime === undefined ? Infinity : Number(params.endTime);
  return events.filter((e) => e.timestamp >= from && e.timestamp < to);
}

/** Real tokens look like `f/37906363364218838052395768396497584862024296862427529216/s`. */
/** `f/<56 digits>/s` like the real tokens; the last two digits count empty pages (LogsPaging). */
function token(direction: 'f' | 'b', position: number, hops = 0): string {
  return `${direction}/${String(position * 100 + hops).padStart(56, '0')}/s`;
}

function parseToken(text: string): { direction: 'f' | 'b'; position: number; hops: number } {
  const match = /^([fb])\/(\d{56})\/s$/.exec(text);
  if (!match)
    throw new SimError('InvalidParameterException', 'The specified nextToken is invalid.');
  const value = Number(match[2]);
  return { direction: match[1] as 'f' | 'b', position: Math.floor(value / 100), hops: value % 100 };
}

function outputEvent(e: LogEvent): JsonResult {
  return { timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime };
}

function sequenceToken(sequence: number): string {
  return String(49_000_000_000 + sequence).padEnd(56, '0');
}

function eventId(timestamp: number, stream: string, index: number): string {
  let hash = 0;
  for (const char of stream) hash = (hash * 31 + char.charCodeAt(0)) % 1_000_000;
  return `${timestamp}${String(hash).padStart(6, '0')}${String(index).padStart(10, '0')}`.padEnd(
    56,
    '0',
  );
}

function lastEvent(stream: LogStreamState): number {
  return stream.events.at(-1)?.timestamp ?? 0;
}

/** An opaque offset token over a list, for DescribeLogStreams and FilterLogEvents. */
function page<T>(
  items: T[],
  params: JsonObject,
  fallback: number,
  max: number,
  key = 'limit',
): { items: T[]; nextToken?: string } {
  const size = params[key] === undefined ? fallback : Number(params[key]);
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw new SimError(
      'InvalidParameterException',
      `1 validation error detected: Value '${String(params[key])}' at '${key}' failed to satisfy constraint: Member must have value between 1 and ${max}`,
    );
  }
  let offset = 0;
  if (params.nextToken !== undefined) {
    const decoded = /^offset:(\d+)$/.exec(
      Buffer.from(String(params.nextToken), 'base64url').toString(),
    );
    if (!decoded) {
      throw new SimError('InvalidParameterException', 'The specified nextToken is invalid.');
    }
    offset = Number(decoded[1]);
  }
  const end = offset + size;
  return {
    items: items.slice(offset, end),
    ...(end < items.length
      ? { nextToken: Buffer.from(`offset:${end}`).toString('base64url') }
      : {}),
  };
}

/** A subset of the filter-pattern language: terms and "phrases" that must all appear, -term to exclude. */
function filterPattern(pattern: string): (message: string) => boolean {
  const terms = [...pattern.matchAll(/(-?)(?:"([^"]*)"|(\S+))/g)].map((m) => ({
    exclude: m[1] === '-',
    text: m[2] ?? m[3] ?? '',
  }));
  return (message) =>
    terms.every(({ exclude, text }) => message.includes(text) !== exclude || text === '');
}
