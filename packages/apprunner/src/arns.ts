import { InputError } from '@deploy-actions/action-kit/engine';

/** The service input: a name (resolved with ListServices) or an ARN. */
export type ServiceTarget =
  | { kind: 'name'; name: string }
  | { kind: 'arn'; arn: string; name: string; id: string; region: string; accountId: string };

const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$/;
const SERVICE_ARN =
  /^arn:aws[a-z-]*:apprunner:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):service\/([A-Za-z0-9][A-Za-z0-9_-]{3,39})\/([0-9a-f]{32})$/;
const ROLE_ARN =
  /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):iam::\d{12}:role\/[\w+=,.@/-]{1,1000}$/;
const APPRUNNER_RESOURCE = (type: string, nameLength: string, revision: string) =>
  new RegExp(
    `^arn:aws[a-z-]*:apprunner:[a-z]{2}(?:-[a-z]+)+-\\d{1,2}:\\d{12}:${type}/[A-Za-z0-9][A-Za-z0-9_-]{${nameLength}}${revision}$`,
  );
const AUTO_SCALING_ARN = APPRUNNER_RESOURCE(
  'autoscalingconfiguration',
  '3,31',
  '(?:/\\d+(?:/[0-9a-f]{32})?)?',
);
const VPC_CONNECTOR_ARN = APPRUNNER_RESOURCE(
  'vpcconnector',
  '3,39',
  '(?:/\\d+(?:/[0-9a-f]{32})?)?',
);
const SECRETS_MANAGER_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(?:-[a-z]+)+-\d{1,2}:\d{12}:secret:[\w/+=.@-]+(?::[^:]*:[^:]*:[^:]*)?$/;
const SSM_PARAMETER_ARN =
  /^arn:aws[a-z-]*:ssm:[a-z]{2}(?:-[a-z]+)+-\d{1,2}:\d{12}:parameter\/[\w.\-/]+$/;

export function parseServiceTarget(input: string, value: string, region: string): ServiceTarget {
  if (value.startsWith('arn:')) {
    const match = SERVICE_ARN.exec(value);
    if (!match) {
      throw new InputError(
        input,
        value,
        'an App Runner service ARN such as arn:aws:apprunner:us-east-1:123456789012:service/api/<32 hex characters>, or a service name',
      );
    }
    const [, arnRegion, accountId, name, id] = match;
    if (arnRegion !== region) {
      throw new InputError(
        input,
        value,
        `a service in ${region} (the aws-region), or aws-region: ${arnRegion}`,
      );
    }
    return {
      kind: 'arn',
      arn: value,
      name: name!,
      id: id!,
      region: arnRegion!,
      accountId: accountId!,
    };
  }
  if (!SERVICE_NAME.test(value)) {
    throw new InputError(
      input,
      value,
      'a service name of 4 to 40 letters, digits, - and _ starting with a letter or digit, or a service ARN',
    );
  }
  return { kind: 'name', name: value };
}

export function assertRoleArn(input: string, value: string): string {
  if (!ROLE_ARN.test(value)) {
    throw new InputError(
      input,
      value,
      'an IAM role ARN such as arn:aws:iam::123456789012:role/name',
    );
  }
  return value;
}

export function assertAutoScalingArn(input: string, value: string): string {
  if (!AUTO_SCALING_ARN.test(value)) {
    throw new InputError(
      input,
      value,
      'an auto scaling configuration ARN such as arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/high-availability/3 (the revision is optional: without it, the latest)',
    );
  }
  return value;
}

export function assertVpcConnectorArn(input: string, value: string): string {
  if (!VPC_CONNECTOR_ARN.test(value)) {
    throw new InputError(
      input,
      value,
      'a VPC connector ARN such as arn:aws:apprunner:us-east-1:123456789012:vpcconnector/private-subnets/1/<32 hex characters>',
    );
  }
  return value;
}

/** App Runner secrets are references (never values): a Secrets Manager secret or an SSM parameter. */
export function assertSecretReference(input: string, name: string, value: string): string {
  if (!SECRETS_MANAGER_ARN.test(value) && !SSM_PARAMETER_ARN.test(value)) {
    throw new InputError(
      input,
      `${name}=${value}`,
      'NAME=ARN lines where the ARN is a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>, optionally :<json key>:<stage>:<version>) or an SSM parameter (arn:aws:ssm:<region>:<account>:parameter/<name>); never the secret value itself',
    );
  }
  return value;
}

/** An App Runner resource ARN that carries a name, revision and id (auto scaling, VPC connector). */
function revisionedParts(arn: string): { prefix: string; revision: string | undefined } {
  const match =
    /^(.*:(?:autoscalingconfiguration|vpcconnector)\/[^/]+)(?:\/(\d+))?(?:\/[0-9a-f]{32})?$/.exec(
      arn,
    );
  return { prefix: match?.[1] ?? arn, revision: match?.[2] };
}

/**
 * Does the live resource (always a full ARN with revision and id) satisfy the
 * requested one? A requested ARN without a revision is satisfied by any
 * revision of that name: finding out which revision is the latest would need
 * another API call and permission, so moving to a newer revision means naming it.
 */
export function sameRevisionedArn(requested: string, live: string | undefined): boolean {
  if (live === undefined) return false;
  const want = revisionedParts(requested);
  const have = revisionedParts(live);
  return (
    want.prefix === have.prefix && (want.revision === undefined || want.revision === have.revision)
  );
}

/** `high-availability/3` from an auto scaling or VPC connector ARN, for change lines. */
export function revisionedName(arn: string | undefined): string {
  if (arn === undefined) return '(none)';
  const { prefix, revision } = revisionedParts(arn);
  const name = prefix.slice(prefix.lastIndexOf('/') + 1);
  return revision === undefined ? name : `${name}/${revision}`;
}
