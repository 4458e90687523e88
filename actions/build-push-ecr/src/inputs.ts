import type { Inputs } from '@deploy-actions/action-kit';
import { readAwsInputs, type AwsInputs } from '@deploy-actions/aws';
import { readBuildPushInputs, type BuildPushInputs } from '@deploy-actions/ecr';

export interface ActionInputs {
  aws: AwsInputs;
  options: BuildPushInputs;
}

/**
 * Reads and validates every input before anything touches AWS or docker: the
 * engine's readBuildPushInputs reads the build's, this adds push and the AWS
 * inputs (read once the repository is, as the engine asks). `mask` receives each
 * build-secret value before it is checked.
 */
export function getInputs(
  inputs: Inputs,
  env: NodeJS.ProcessEnv = process.env,
  mask?: (value: string) => void,
): ActionInputs {
  let aws: AwsInputs | undefined;
  const options = readBuildPushInputs(
    inputs,
    () => {
      const push = inputs.boolean('push', true);
      // A build-only run makes no AWS call, so it must not demand a region.
      aws = readAwsInputs(
        inputs,
        push ? env : { ...env, AWS_REGION: env.AWS_REGION || 'us-east-1' },
      );
      return { push, region: aws.region };
    },
    mask,
  );
  return { aws: aws!, options };
}
