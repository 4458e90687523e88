/**
 * Every AWS permission the App Runner deploy can use, in one table: the calls
 * the API layer (api.ts) sends, keyed by operation, and the permissions AWS
 * checks on the caller's behalf (`operation: '*'`). api.ts can only call what
 * is listed here (its `call` takes a CallName of this table); the IAM policy
 * template and the README's permission table are checked against it.
 */
import {
  defineCalls,
  delegatedPermissions,
  type AwsCall,
  type CallName,
} from '@deploy-actions/aws';

/** The shape of every entry (the suite-wide AwsCall); the old name of this engine's own type. */
export type AwsPermission = AwsCall;

const SERVICE = 'arn:aws:apprunner:<region>:<account>:service/<name>/*';

export const APPRUNNER_CALLS = defineCalls({
  ListServices: {
    service: 'apprunner',
    operation: 'ListServices',
    actions: ['apprunner:ListServices'],
    resource: '*',
    when: '`service` is a name (resolved to its ARN)',
  },
  DescribeService: {
    service: 'apprunner',
    operation: 'DescribeService',
    actions: ['apprunner:DescribeService'],
    resource: SERVICE,
    when: 'always (live settings before, the live image after)',
  },
  ListOperations: {
    service: 'apprunner',
    operation: 'ListOperations',
    actions: ['apprunner:ListOperations'],
    resource: SERVICE,
    when: 'always (tracking the operation; finding one already in progress)',
  },
  UpdateService: {
    service: 'apprunner',
    operation: 'UpdateService',
    actions: ['apprunner:UpdateService'],
    resource: SERVICE,
    alsoOn: 'the auto scaling configuration and VPC connector it names',
    when: 'the image or a named setting differs from the live service',
  },
  StartDeployment: {
    service: 'apprunner',
    operation: 'StartDeployment',
    actions: ['apprunner:StartDeployment'],
    resource: SERVICE,
    when: 'the image is already live and `redeploy-if-unchanged` is true',
  },
  CreateService: {
    service: 'apprunner',
    operation: 'CreateService',
    actions: ['apprunner:CreateService'],
    resource: SERVICE,
    alsoOn: 'the auto scaling configuration and VPC connector it names',
    when: '`create-if-missing: true` and the service does not exist',
  },
  // Checked during CreateService/UpdateService: handing roles to App Runner, and App Runner
  // creating its service-linked role (as in the AWSAppRunnerFullAccess managed policy).
  PassRole: {
    service: 'iam',
    operation: '*',
    actions: ['iam:PassRole'],
    resource: 'arn:aws:iam::<account>:role/<role>',
    alsoOn: 'for the access role (`access-role-arn`) and the instance role (`instance-role-arn`)',
    when: 'CreateService, and every UpdateService that carries a role: the source configuration (image changes) carries the access role, the instance configuration (cpu, memory, instance role) the instance role. Condition `iam:PassedToService`: `apprunner.amazonaws.com`',
  },
  CreateServiceLinkedRole: {
    service: 'iam',
    operation: '*',
    actions: ['iam:CreateServiceLinkedRole'],
    resource:
      'arn:aws:iam::<account>:role/aws-service-role/apprunner.amazonaws.com/AWSServiceRoleForAppRunner',
    when: 'creating the first App Runner service of the account (condition `iam:AWSServiceName`: `apprunner.amazonaws.com`)',
  },
});

export type AppRunnerCall = CallName<typeof APPRUNNER_CALLS>;

/** The permissions AWS checks on the caller's behalf (the table's `operation: '*'` entries). */
export const DELEGATED_PERMISSIONS: readonly AwsCall[] = delegatedPermissions(APPRUNNER_CALLS);

/** Every permission the deploy may need, calls first. */
export function deployPermissions(): AwsCall[] {
  return Object.values(APPRUNNER_CALLS);
}

/** The README's permission table (a test keeps the README equal to it). */
export function permissionsTable(permissions: readonly AwsCall[] = deployPermissions()): string {
  return [
    '| Action | Resource | When |',
    '| --- | --- | --- |',
    ...permissions.map(
      (p) =>
        `| \`${p.actions.join('`, `')}\` | \`${p.resource}\`${p.alsoOn ? `, ${p.alsoOn}` : ''} | ${p.when} |`,
    ),
  ].join('\n');
}
