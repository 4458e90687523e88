/**
 * The AWS permissions run-migrations needs, declared where the engine uses
 * them:
 * - RUN_MIGRATIONS_CALLS: the SDK call of modes 1 and 2 (reading
 *   database-url-secret-id), keyed by operation. resolve.ts names the IAM
 *   action of its errors from here, so an operation missing from the table is
 *   a compile error.
 * - ECS_MODE_CALLS (ecs/calls.ts): the calls of mode 3.
 * - RUN_MIGRATIONS_PERMISSIONS: every permission of the action, both tables
 *   and kms:Decrypt, which Secrets Manager checks as the caller: the README's
 *   IAM table, the example policies (test/unit/iam-policies.test.ts) and the
 *   end-to-end check that every call the action made is in it.
 */
import { ECS_MODE_CALLS } from './ecs/calls.js';

export interface MigrateCall {
  /** The IAM action, e.g. `secretsmanager:GetSecretValue`. */
  action: string;
  resource: string;
  when: string;
}

export const RUN_MIGRATIONS_CALLS = {
  GetSecretValue: {
    action: 'secretsmanager:GetSecretValue',
    resource: 'the secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-*)',
    when: 'database-url-secret-id is set',
  },
} as const satisfies Record<string, MigrateCall>;

export interface RunMigrationsPermission {
  /** `svc:Operation` of a call the action makes; `*` for one AWS checks on its behalf. */
  operation: string;
  actions: readonly string[];
  resource: string;
  when: string;
}

export const RUN_MIGRATIONS_PERMISSIONS: readonly RunMigrationsPermission[] = [
  ...Object.values(RUN_MIGRATIONS_CALLS).map((call) => ({
    operation: call.action,
    actions: [call.action],
    resource: call.resource,
    when: call.when,
  })),
  {
    // Not a call of ours: Secrets Manager decrypts with the caller's permission on the key.
    operation: '*',
    actions: ['kms:Decrypt'],
    resource: "the secret's customer managed KMS key",
    when: 'the secret is encrypted with a customer managed key (not aws/secretsmanager)',
  },
  // Mode 3 (ecs-cluster): the engine's own table.
  ...Object.values(ECS_MODE_CALLS).map((call) => ({
    operation: 'operation' in call ? call.operation : call.action,
    actions: [call.action],
    resource: call.resource,
    when: `ecs-cluster is set: ${call.why}`,
  })),
];
