/** The end of a task in words: the exit code of the migration container, or why it never ran. */
import type { Task } from '@aws-sdk/client-ecs';
import { UserError } from '@deploy-actions/action-kit/engine';
import { formatCommandLine } from '../command.js';
import type { EcsTaskOptions } from './types.js';

/** The named container's exit code decides; a container that never ran is explained. */
export function judge(
  task: Task,
  options: EcsTaskOptions,
  consoleUrl: string,
  lastLine: string | undefined,
): UserError | undefined {
  const taskId = task.taskArn!.split('/').at(-1)!;
  const container = task.containers?.find((c) => c.name === options.containerName);
  const display = formatCommandLine(options.argv);
  const exitCode = container?.exitCode;
  if (exitCode === 0) return undefined;
  if (exitCode != null) {
    const memory = /OutOfMemory/i.test(container?.reason ?? '');
    const detail = memory
      ? ': the container ran out of memory'
      : lastLine
        ? `: ${lastLine.trim()}`
        : '';
    return new UserError(
      `The migration command ${display} failed in ECS task ${taskId} with exit code ${exitCode}${detail}.`,
      {
        hint: memory
          ? `Give the task definition more memory. Task: ${consoleUrl}`
          : `Its output is in the log above. Task: ${consoleUrl}`,
      },
    );
  }
  const explained = explainStoppedTask(task, options.containerName);
  return new UserError(
    `The migration task ${taskId} stopped before container ${options.containerName} ran (${task.stopCode ?? 'no stop code'}): ${explained.what}`,
    { hint: `${explained.hint} Task: ${consoleUrl}` },
  );
}

/** Why a task stopped without the named container running, in plain words, with what to do. */
export function explainStoppedTask(
  task: Task,
  containerName: string,
): { what: string; hint: string } {
  const container = task.containers?.find((c) => c.name === containerName);
  const reasons = [task.stoppedReason, container?.reason].filter((r): r is string => Boolean(r));
  const unique = [...new Set(reasons)];
  const raw = unique.join(' — ') || 'ECS gave no reason';
  const text = unique.join(' ');
  const image = container?.image ?? 'the image';
  if (/CannotPullContainerError/i.test(text)) {
    return {
      what: `ECS could not pull the image ${image}. (${raw})`,
      hint: 'Check that the image tag or digest exists, that the task execution role may pull it (ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer), and that the subnets reach ECR: a NAT gateway, VPC endpoints for ecr.api, ecr.dkr and S3, or assign-public-ip in a public subnet.',
    };
  }
  if (/ResourceInitializationError/i.test(text) && /secret|asm|ssm/i.test(text)) {
    return {
      what: `ECS could not fetch the task's secrets before starting it. (${raw})`,
      hint: "The task execution role needs secretsmanager:GetSecretValue on the secret (and kms:Decrypt for a customer-managed key), the secret must exist in the task's region, and the subnets need a route to Secrets Manager (NAT gateway or VPC endpoint).",
    };
  }
  if (/ResourceInitializationError/i.test(text) && /log/i.test(text)) {
    return {
      what: `ECS could not set up the container's CloudWatch log stream. (${raw})`,
      hint: 'Create the log group named in awslogs-group (or set awslogs-create-group and allow logs:CreateLogGroup), and let the task execution role use logs:CreateLogStream and logs:PutLogEvents.',
    };
  }
  if (/ResourceInitializationError/i.test(text)) {
    return {
      what: `ECS could not prepare the task's resources. (${raw})`,
      hint: 'Common causes: the VPC lacks DNS resolution or DNS hostnames, or the subnets have no route to the AWS services the task needs.',
    };
  }
  if (/CannotStartContainerError/i.test(text)) {
    return {
      what: `The container could not start. (${raw})`,
      hint: /executable file not found/i.test(text)
        ? "The command's program does not exist in the image: use a program the image has (check the command input and the image's PATH)."
        : 'Check the command and the image.',
    };
  }
  if (/Capacity is unavailable|Timeout waiting for network interface/i.test(text)) {
    return {
      what: `AWS could not find capacity or a network interface for the task. (${raw})`,
      hint: 'Run the workflow again later, or give subnets in more availability zones.',
    };
  }
  if (task.stopCode === 'UserInitiated') {
    return {
      what: `Someone or something stopped the task before it ran. (${raw})`,
      hint: 'Look at who called StopTask (CloudTrail), and run the workflow again.',
    };
  }
  if (task.stopCode === 'SpotInterruption') {
    return {
      what: `The Spot capacity was reclaimed. (${raw})`,
      hint: 'Run migrations on FARGATE rather than FARGATE_SPOT.',
    };
  }
  return {
    what: raw,
    hint: 'See "Amazon ECS stopped task error codes" in the Amazon ECS Developer Guide.',
  };
}
