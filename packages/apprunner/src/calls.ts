/**
 * Every AWS permission the App Runner deploy can use, in one table. The API
 * layer (api.ts) can only call what is listed here (its `call` takes a key of
 * this table), so the table is complete by construction; IAM policy templates
 * and the README's permission table are derived from it.
 */
export interface AwsPermission {
  /** The IAM action, e.g. `apprunner:UpdateService`. */
  action: string;
  /** The resource it applies to, as an IAM policy Resource (with <placeholders>). */
  resource: string;
  /** Other resources the same action is authorized on, in words. */
  alsoOn?: string;
  /** When the action needs it. */
  when: string;
}

export const APPRUNNER_CALLS = {
  ListServices: {
    action: 'apprunner:ListServices',
    resource: '*',
    when: '`service` is a name (resolved to its ARN)',
  },
  DescribeService: {
    action: 'apprunner:DescribeService',
    resource: 'arn:aws:apprunner:<region>:<account>:service/<name>/*',
    when: 'always (live settings before, the live image after)',
  },
  ListOperations: {
    action: 'apprunner:ListOperations',
    resource: 'arn:aws:apprunner:<region>:<account>:service/<name>/*',
    when: 'always (tracking the operation; finding one already in progress)',
  },
  UpdateService: {
    action: 'apprunner:UpdateService',
    resource: 'arn:aws:apprunner:<region>:<account>:service/<name>/*',
    alsoOn: 'the auto scaling configuration and VPC connector it names',
    when: 'the image or a named setting differs from the live service',
  },
  StartDeployment: {
    action: 'apprunner:StartDeployment',
    resource: 'arn:aws:apprunner:<region>:<account>:service/<name>/*',
    when: 'the image is already live and `redeploy-if-unchanged` is true',
  },
  CreateService: {
    action: 'apprunner:CreateService',
    resource: 'arn:aws:apprunner:<region>:<account>:service/<name>/*',
    alsoOn: 'the auto scaling configuration and VPC connector it names',
    when: '`create-if-missing: true` and the service does not exist',
  },
} as const satisfies Record<string, AwsPermission>;

export type AppRunnerCall = keyof typeof APPRUNNER_CALLS;

/**
 * Permissions that are not calls of this process but that AWS checks on the
 * caller's behalf during CreateService/UpdateService: handing roles to App
 * Runner, and App Runner creating its service-linked role (as in the
 * AWSAppRunnerFullAccess managed policy).
 */
export const DELEGATED_PERMISSIONS: readonly AwsPermission[] = [
  {
    action: 'iam:PassRole',
    resource: 'arn:aws:iam::<account>:role/<role>',
    alsoOn: 'for the access role (`access-role-arn`) and the instance role (`instance-role-arn`)',
    when: 'CreateService, and every UpdateService that carries a role: the source configuration (image changes) carries the access role, the instance configuration (cpu, memory, instance role) the instance role. Condition `iam:PassedToService`: `apprunner.amazonaws.com`',
  },
  {
    action: 'iam:CreateServiceLinkedRole',
    resource:
      'arn:aws:iam::<account>:role/aws-service-role/apprunner.amazonaws.com/AWSServiceRoleForAppRunner',
    when: 'creating the first App Runner service of the account (condition `iam:AWSServiceName`: `apprunner.amazonaws.com`)',
  },
];

/** Every permission the deploy may need, calls first. */
export function deployPermissions(): AwsPermission[] {
  return [...Object.values(APPRUNNER_CALLS), ...DELEGATED_PERMISSIONS];
}

/** The README's permission table (a test keeps the README equal to it). */
export function permissionsTable(
  permissions: readonly AwsPermission[] = deployPermissions(),
): string {
  return [
    '| Action | Resource | When |',
    '| --- | --- | --- |',
    ...permissions.map(
      (p) =>
        `| \`${p.action}\` | \`${p.resource}\`${p.alsoOn ? `, ${p.alsoOn}` : ''} | ${p.when} |`,
    ),
  ].join('\n');
}
