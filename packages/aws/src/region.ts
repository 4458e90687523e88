import { InputError, UserError } from '@deploy-actions/action-kit/engine';

// Commercial, China, GovCloud and ISO partitions: us-east-1, cn-north-1, us-gov-west-1, us-isob-east-1.
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** The region: the input, else AWS_REGION, else AWS_DEFAULT_REGION. */
export function resolveRegion(
  input: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const [source, value] =
    input !== undefined && input !== ''
      ? ['aws-region', input]
      : env.AWS_REGION
        ? ['AWS_REGION', env.AWS_REGION]
        : env.AWS_DEFAULT_REGION
          ? ['AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION]
          : [undefined, undefined];
  if (value === undefined || source === undefined) {
    throw new UserError('No AWS region given.', {
      hint: "Set the 'aws-region' input (e.g. aws-region: eu-west-1) or AWS_REGION in the job's env.",
    });
  }
  if (!REGION_PATTERN.test(value)) {
    throw new InputError(source, value, 'an AWS region code such as us-east-1 or eu-west-1');
  }
  return value;
}
