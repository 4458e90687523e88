/**
 * Where the migration container gets its database URL. It is passed by
 * reference, never by value: ECS container overrides accept `environment` but
 * not `secrets` (aws/containers-roadmap #1269), and an environment override is
 * stored in the task's description and in CloudTrail for anyone with
 * ecs:DescribeTasks to read. So, as teams running migrations on ECS do, the
 * task definition's container references the secret (`"secrets": [{"name":
 * "DATABASE_URL", "valueFrom": "<secret ARN>"}]`) and ECS fetches it with the
 * execution role when the task starts. With a secret id, this engine checks
 * that the task definition references that very secret before it runs
 * anything. For images that fetch their own secrets, `secretIdEnv` passes the
 * secret's id (not its value) instead.
 */
import type { ContainerDefinition, KeyValuePair, TaskDefinition } from '@aws-sdk/client-ecs';
import { UserError } from '@deploy-actions/action-kit/engine';
import type { TaskDatabase } from './types.js';

interface DatabaseReference {
  environment: KeyValuePair[];
  source: string;
  warnings: string[];
  /** Plain values the task definition exposes, to be masked in the log. */
  mask: string[];
}

/**
 * Where the container gets its database URL, and what (if anything) the
 * override must add. Throws when a secret id is given that the task
 * definition does not reference, since ECS cannot take it in an override.
 */
export function planDatabaseReference(
  container: ContainerDefinition,
  definition: Pick<TaskDefinition, 'family' | 'revision' | 'executionRoleArn'>,
  database: TaskDatabase,
): DatabaseReference {
  const { urlEnv, secretId, secretIdEnv } = database;
  const secrets = container.secrets ?? [];
  const urlSecret = secrets.find((s) => s.name === urlEnv);
  const plain = container.environment?.find((e) => e.name === urlEnv);
  const where = `${definition.family}:${definition.revision}`;
  const mask = plain?.value ? [plain.value] : [];
  if (secretIdEnv !== undefined) {
    if (secretId === undefined) {
      throw new UserError(
        `database-url-secret-id-env (${secretIdEnv}) passes a secret's id to the task, but no database-url-secret-id is set.`,
      );
    }
    return {
      environment: [{ name: secretIdEnv, value: secretId }],
      source: `the secret ${secretId}, fetched by the container itself (its id is in ${secretIdEnv})`,
      warnings: [],
      mask,
    };
  }
  if (urlSecret) {
    if (secretId !== undefined && !sameSecret(urlSecret.valueFrom ?? '', secretId)) {
      throw new UserError(
        `The task definition ${where} gives container ${container.name} its ${urlEnv} from ${urlSecret.valueFrom}, but database-url-secret-id is ${secretId}.`,
        {
          hint: `Make them name the same secret, or leave database-url-secret-id out to use the task definition's.`,
        },
      );
    }
    return {
      environment: [],
      source: `the secret ${urlSecret.valueFrom}, referenced by the task definition (ECS fetches it with the execution role)`,
      warnings: [],
      mask,
    };
  }
  if (secretId !== undefined) {
    const referencing = secrets.filter((s) => sameSecret(s.valueFrom ?? '', secretId));
    if (referencing.length > 0) {
      return {
        environment: [],
        source: `the secret ${secretId}, referenced by the task definition as ${referencing.map((s) => s.name).join(', ')}`,
        warnings: [],
        mask,
      };
    }
    throw new UserError(
      `The task definition ${where} does not reference the secret ${secretId} (database-url-secret-id) in container ${container.name}, and ECS cannot pass a secret in a RunTask override.`,
      {
        hint: `Add to the container definition "secrets": [{"name": "${urlEnv}", "valueFrom": "<the secret's ARN>"}] (the execution role${definition.executionRoleArn ? ` ${definition.executionRoleArn}` : ''} needs secretsmanager:GetSecretValue on it), or set database-url-secret-id-env to hand the image the secret's id to fetch itself.`,
      },
    );
  }
  if (plain) {
    return {
      environment: [],
      source: `the task definition's plain environment variable ${urlEnv}`,
      warnings: [
        `The task definition ${where} puts ${urlEnv} in container ${container.name}'s plain environment, where anyone allowed ecs:DescribeTaskDefinition can read it. Store it in Secrets Manager and reference it under "secrets" instead.`,
      ],
      mask,
    };
  }
  const others = secrets.map((s) => s.name).join(', ');
  return {
    environment: [],
    source: `nothing the task definition declares${others ? ` (its secrets: ${others})` : ''}`,
    warnings: [
      `Container ${container.name} of ${where} gets no ${urlEnv} from the task definition${others ? ` (its secrets are ${others})` : ''}: the migration command must find the database by itself.`,
    ],
    mask,
  };
}

const SECRET_ARN = /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:([^:]+))(?::.*)?$/;

/** Does a `valueFrom` (ARN, possibly with `:json-key:stage:version`) name the secret `secretId` (name, partial or full ARN)? */
export function sameSecret(valueFrom: string, secretId: string): boolean {
  const from = SECRET_ARN.exec(valueFrom);
  if (!from) return valueFrom === secretId;
  const [, arn, fullName] = from as unknown as [string, string, string];
  const wanted = SECRET_ARN.exec(secretId);
  const withSuffix = (base: string, candidate: string) =>
    candidate === base || new RegExp(`^${escapeRegExp(base)}-[A-Za-z0-9]{6}$`).test(candidate);
  if (wanted) return withSuffix(wanted[1]!, arn);
  return withSuffix(secretId, fullName);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
