/**
 * The AWS permissions run-migrations needs, declared where the engine uses
 * them:
 * - RUN_MIGRATIONS_CALLS: the SDK call of modes 1 and 2 (reading
 *   database-url-secret-id), and kms:Decrypt, which Secrets Manager checks as
 *   the caller (`operation: '*'`). resolve.ts calls through it.
 * - ECS_MODE_CALLS (ecs/calls.ts): the calls of mode 3.
 * - RUN_MIGRATIONS_PERMISSIONS: both tables as one list, each call as
 *   `svc:Operation`: the end-to-end check that every call the action made is in it.
 */
import { defineCalls, type AwsCall } from '@deploy-actions/aws';
import { ECS_MODE_CALLS } from './ecs/calls.js';

/** The old name of this table's entry type: every entry is the suite-wide AwsCall. */
export type MigrateCall = AwsCall;

export const RUN_MIGRATIONS_CALLS = defineCalls({
  GetSecretValue: {
    service: 'secretsmanager',
    operation: 'GetSecretValue',
    actions: ['secretsmanager:GetSecretValue'],
    resource: 'the secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-*)',
    when: 'database-url-secret-id is set',
  },
  // Not a call of ours: Secrets Manager decrypts with the caller's permission on the key.
  SecretKey: {
    service: 'kms',
    operation: '*',
    actions: ['kms:Decrypt'],
    resource: "the secret's customer managed KMS key",
    when: 'the secret is encrypted with a customer managed key (not aws/secretsmanager)',
  },
});

export interface RunMigrationsPermission {
  /** `svc:Operation` of a call the action makes; `*` for one AWS checks on its behalf. */
  operation: string;
  actions: readonly string[];
  resource: string;
  when: string;
}

const asPermission = (call: AwsCall, when: string): RunMigrationsPermission => ({
  operation: call.operation === '*' ? '*' : `${call.service}:${call.operation}`,
  actions: call.actions,
  resource: call.resource,
  when,
});

export const RUN_MIGRATIONS_PERMISSIONS: readonly RunMigrationsPermission[] = [
  ...Object.values(RUN_MIGRATIONS_CALLS).map((call) => asPermission(call, call.when)),
  ...Object.values(ECS_MODE_CALLS).map((call) =>
    asPermission(call, `ecs-cluster is set: ${call.when}`),
  ),
];
