/** The shapes mode 3 shares between its inputs, its steps and its report. */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { BackoffOptions, Clock, Logger, UserError } from '@deploy-actions/action-kit/engine';

export type LaunchChoice =
  | { launchType: 'FARGATE' | 'EC2' | 'EXTERNAL'; platformVersion?: string }
  | {
      capacityProviderStrategy: Array<{ capacityProvider: string; weight?: number; base?: number }>;
      platformVersion?: string;
    };

export interface TaskNetwork {
  subnets: string[];
  securityGroups?: string[];
  assignPublicIp?: boolean;
}

/** Where the task's database URL comes from. It is never passed by value. */
export interface TaskDatabase {
  /** The environment variable the command reads the URL from (database-url-env). */
  urlEnv: string;
  /** database-url-secret-id: the task definition must reference this secret (checked). */
  secretId?: string;
  /**
   * Instead: pass the secret's id (not its value) in this variable, for images whose
   * entrypoint fetches it (the task role then needs secretsmanager:GetSecretValue).
   */
  secretIdEnv?: string;
}

/** Mode 3 as the inputs describe it (see inputs.ts). */
export interface EcsMode {
  kind: 'ecs';
  cluster: string;
  taskDefinition: string;
  containerName: string;
  argv: string[];
  network?: TaskNetwork;
  launch?: LaunchChoice;
  urlEnv: string;
  secretIdEnv?: string;
  timeoutMs: number;
}

export interface EcsTaskOptions {
  /** Cluster name or ARN. */
  cluster: string;
  /** family, family:revision or ARN. */
  taskDefinition: string;
  /** The container that runs the migration; its exit code decides. */
  containerName: string;
  /** The migration command, replacing the container's command. */
  argv: readonly string[];
  network?: TaskNetwork;
  /** Absent: the cluster's default capacity provider strategy (or EC2 when it has none). */
  launch?: LaunchChoice;
  database: TaskDatabase;
  /** Region of the cluster (for messages and the console link). */
  region: string;
  /** How long to wait for the task to stop before stopping it. */
  timeoutMs: number;
  /** Makes RunTask idempotent across retries of this step; random when absent. */
  clientToken?: string;
  /** The run's URL: named in StopTask reasons. */
  runUrl?: string;
  /** RunTask attempts when failures[] report a lack of capacity; 3 by default. */
  runTaskAttempts?: number;
  /** DescribeTasks/GetLogEvents polling; 3 s growing to 6 s (full jitter) by default. */
  poll?: BackoffOptions;
  /** Wait after the task stopped for the last log events to arrive; 3 s by default. */
  logSettleMs?: number;
}

export interface EcsTaskDeps {
  ecs: ECSClient;
  /** A client for the awslogs region, or a factory given that region. */
  logs: CloudWatchLogsClient | ((region: string) => CloudWatchLogsClient);
  logger: Logger;
  clock?: Clock;
  /** Aborts when the workflow run is cancelled: the task is then stopped. */
  signal?: AbortSignal;
}

export interface TaskLogTarget {
  group: string;
  stream: string;
  region: string;
}

export interface EcsTaskOutcome {
  cluster: string;
  taskDefinitionArn: string;
  containerName: string;
  argv: string[];
  taskArn?: string;
  taskId?: string;
  consoleUrl?: string;
  logs?: TaskLogTarget & { consoleUrl: string };
  lastStatus?: string;
  stopCode?: string;
  stoppedReason?: string;
  /** The named container's exit code; null when it never ran (or the run was abandoned). */
  exitCode: number | null;
  containerReason?: string;
  /** Where the task's database URL comes from, in words (never the value). */
  databaseFrom: string;
  durationMs: number;
  /** The last lines of the container's output, for the summary. */
  outputTail: string[];
  warnings: string[];
  failure?: UserError;
}
