import type { Inputs } from '@deploy-actions/action-kit';
import { readAwsInputs, type AwsInputs } from '@deploy-actions/aws';
import { readDeployInputs, type DeployOptions } from '@deploy-actions/apprunner';

export interface ActionInputs {
  aws: AwsInputs;
  options: DeployOptions;
}

/**
 * Reads and validates every input before anything touches AWS: the AWS
 * inputs, the engine's readDeployInputs (service, image, settings, timeout),
 * and wait, which only this action has (the root pipeline always waits).
 */
export function getInputs(inputs: Inputs, env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const aws = readAwsInputs(inputs, env);
  const deploy = readDeployInputs(inputs, aws.region);
  return { aws, options: { ...deploy, wait: inputs.boolean('wait', true) } };
}
