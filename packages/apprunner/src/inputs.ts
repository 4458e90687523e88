/**
 * The deploy-apprunner-and-wait inputs, read and validated in one place so
 * that the action and the root pipeline (which reads them under its own
 * names through readRenamed: `timeout` is its `deploy-timeout`, `tags` its
 * `deploy-tags`) refuse the same things with the same words, before any
 * AWS call.
 */
import { InputError, type Inputs } from '@deploy-actions/action-kit/engine';
import {
  assertAutoScalingArn,
  assertRoleArn,
  assertSecretReference,
  assertVpcConnectorArn,
  parseServiceTarget,
} from './arns.js';
import { parseImageReference, type ImageReference } from './image.js';
import { assertSupportedInputSize, parseCpu, parseMemory } from './instance-size.js';
import type { DeployOptions, HealthCheckSettings, ServiceSettings } from './settings.js';

/** What the inputs say, without `wait` (the action's own input; the pipeline always waits). */
export interface DeployInputs extends Omit<DeployOptions, 'wait' | 'image'> {
  /** Undefined only in the pipeline, when its build stage supplies the image. */
  image: ImageReference | undefined;
}

/** The root pipeline's App Runner stage: whether its build stage runs (and so supplies the image). */
export interface PipelineImage {
  building: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_NAME_TEXT = 'names of letters, digits and _, not starting with a digit';
/** App Runner reserves this prefix for the variables it sets itself. */
const RESERVED_PREFIX = /^AWSAPPRUNNER/i;
const TAG_KEY = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/iu;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const HEALTH_CHECK_PATH = /^\/[\x21-\x7e]*$/;
/** Health check times: whole seconds from 1 to 20 (App Runner's limits), e.g. `10s` or `10`. */
const HEALTH_CHECK_TIME = { minMs: 1_000, maxMs: 20_000 };

/**
 * Reads every deploy input. `region` is the step's AWS region (a service
 * ARN must be in it). Without `pipeline`, image is required; in the
 * pipeline, it must be empty when the build stage runs (the image built is
 * deployed) and is required otherwise.
 */
export function readDeployInputs(
  inputs: Inputs,
  region: string,
): DeployInputs & { image: ImageReference };
export function readDeployInputs(
  inputs: Inputs,
  region: string,
  pipeline: PipelineImage,
): DeployInputs;
export function readDeployInputs(
  inputs: Inputs,
  region: string,
  pipeline?: PipelineImage,
): DeployInputs {
  const service = parseServiceTarget('service', inputs.required('service'), region);
  const image = readImage(inputs, pipeline);
  const createIfMissing = inputs.boolean('create-if-missing', false);
  const settings = readSettings(inputs);

  if (createIfMissing && service.kind === 'arn') {
    throw new InputError(
      'service',
      service.arn,
      'a service name with create-if-missing: true (a created service gets a new ARN)',
    );
  }
  if (image?.repositoryType === 'ECR_PUBLIC') {
    if (settings.accessRoleArn !== undefined) {
      throw new InputError(
        'access-role-arn',
        settings.accessRoleArn,
        'nothing for an ECR Public image (App Runner pulls public images without a role)',
      );
    }
    if (settings.autoDeployments === true) {
      throw new InputError(
        'auto-deployments',
        'true',
        'false or nothing for an ECR Public image (App Runner deploys ECR Public images only on request)',
      );
    }
  } else if (createIfMissing && settings.accessRoleArn === undefined) {
    throw new InputError(
      'access-role-arn',
      undefined,
      'the ARN of a role App Runner uses to pull from private ECR (trusting build.apprunner.amazonaws.com), required with create-if-missing: true',
    );
  }

  return {
    service,
    image,
    settings,
    createIfMissing,
    redeployIfUnchanged: inputs.boolean('redeploy-if-unchanged', true),
    timeoutMs: inputs.duration('timeout', {
      fallback: '20m',
      minMs: 1_000,
      maxMs: 6 * 3_600_000,
    }),
  };
}

function readImage(
  inputs: Inputs,
  pipeline: PipelineImage | undefined,
): ImageReference | undefined {
  if (pipeline === undefined) return parseImageReference('image', inputs.required('image'));
  const imageText = inputs.optional('image');
  if (pipeline.building && imageText !== undefined) {
    throw new InputError(
      'image',
      imageText,
      'nothing when repository is set: the image the build stage pushes is deployed (by digest)',
    );
  }
  if (!pipeline.building && imageText === undefined) {
    throw new InputError(
      'image',
      undefined,
      'the image to deploy, or repository to build and deploy one (the App Runner stage needs an image)',
    );
  }
  return imageText === undefined ? undefined : parseImageReference('image', imageText);
}

function readSettings(inputs: Inputs): ServiceSettings {
  const env = inputs.map('env', { keyPattern: ENV_NAME, keyDescription: ENV_NAME_TEXT });
  const secrets = inputs.map('secrets', { keyPattern: ENV_NAME, keyDescription: ENV_NAME_TEXT });
  for (const [input, values] of [
    ['env', env],
    ['secrets', secrets],
  ] as const) {
    for (const name of values.keys()) {
      if (RESERVED_PREFIX.test(name)) {
        throw new InputError(input, name, 'names that do not start with AWSAPPRUNNER (reserved)');
      }
    }
  }
  for (const [name, value] of secrets) assertSecretReference('secrets', name, value);
  for (const name of env.keys()) {
    if (secrets.has(name)) {
      throw new InputError('secrets', name, `names not also given in env (${name} is in both)`);
    }
  }
  const envMode = inputs.choice('env-mode', ['merge', 'replace'] as const, 'merge');
  if (envMode === 'replace' && env.size === 0 && secrets.size === 0) {
    throw new InputError(
      'env-mode',
      'replace',
      'merge, or env and/or secrets to replace the live ones with (replace with neither would remove every variable)',
    );
  }

  const cpu = optionalWith(inputs.optional('cpu'), (value) => parseCpu('cpu', value));
  const memory = optionalWith(inputs.optional('memory'), (value) => parseMemory('memory', value));
  if (cpu !== undefined && memory !== undefined) assertSupportedInputSize(cpu, memory);

  const port = optionalWith(inputs.optional('port'), () =>
    inputs.integer('port', { min: 1, max: 65535 }),
  );
  const autoDeployments = optionalWith(inputs.optional('auto-deployments'), () =>
    inputs.boolean('auto-deployments', false),
  );

  return {
    env,
    secrets,
    envMode,
    port,
    cpuUnits: cpu,
    memoryMb: memory,
    instanceRoleArn: optionalWith(inputs.optional('instance-role-arn'), (value) =>
      assertRoleArn('instance-role-arn', value),
    ),
    accessRoleArn: optionalWith(inputs.optional('access-role-arn'), (value) =>
      assertRoleArn('access-role-arn', value),
    ),
    healthCheck: readHealthCheck(inputs),
    autoScalingConfigurationArn: optionalWith(
      inputs.optional('auto-scaling-configuration-arn'),
      (value) => assertAutoScalingArn('auto-scaling-configuration-arn', value),
    ),
    vpcConnectorArn: optionalWith(inputs.optional('vpc-connector-arn'), (value) =>
      assertVpcConnectorArn('vpc-connector-arn', value),
    ),
    autoDeployments,
    tags: readTags(inputs),
  };
}

function readHealthCheck(inputs: Inputs): HealthCheckSettings {
  const protocol = optionalWith(inputs.optional('health-check-protocol'), () =>
    inputs.choice('health-check-protocol', ['TCP', 'HTTP'] as const, 'TCP'),
  );
  const path = optionalWith(inputs.optional('health-check-path'), (value) => {
    if (!HEALTH_CHECK_PATH.test(value) || value.length > 51200) {
      throw new InputError('health-check-path', value, 'a URL path starting with /, e.g. /health');
    }
    return value;
  });
  if (path !== undefined && protocol === 'TCP') {
    throw new InputError(
      'health-check-path',
      path,
      'nothing with health-check-protocol: TCP (a path is used by HTTP checks only)',
    );
  }
  const interval = optionalWith(inputs.optional('health-check-interval'), () =>
    wholeSeconds(
      'health-check-interval',
      inputs.duration('health-check-interval', HEALTH_CHECK_TIME),
    ),
  );
  const timeout = optionalWith(inputs.optional('health-check-timeout'), () =>
    wholeSeconds(
      'health-check-timeout',
      inputs.duration('health-check-timeout', HEALTH_CHECK_TIME),
    ),
  );
  const healthy = optionalWith(inputs.optional('health-check-healthy-threshold'), () =>
    inputs.integer('health-check-healthy-threshold', { min: 1, max: 20 }),
  );
  const unhealthy = optionalWith(inputs.optional('health-check-unhealthy-threshold'), () =>
    inputs.integer('health-check-unhealthy-threshold', { min: 1, max: 20 }),
  );
  return {
    ...(protocol !== undefined && { protocol }),
    ...(path !== undefined && { path }),
    ...(interval !== undefined && { intervalSeconds: interval }),
    ...(timeout !== undefined && { timeoutSeconds: timeout }),
    ...(healthy !== undefined && { healthyThreshold: healthy }),
    ...(unhealthy !== undefined && { unhealthyThreshold: unhealthy }),
  };
}

function wholeSeconds(name: string, ms: number): number {
  if (ms % 1000 !== 0) throw new InputError(name, `${ms}ms`, 'whole seconds from 1 to 20, e.g. 5s');
  return ms / 1000;
}

function readTags(inputs: Inputs): Map<string, string> {
  const tags = inputs.map('tags');
  for (const [key, value] of tags) {
    if (!TAG_KEY.test(key)) {
      throw new InputError('tags', key, 'tag keys of 1 to 128 characters, not starting with aws:');
    }
    if (!TAG_VALUE.test(value)) {
      throw new InputError('tags', `${key}=${value}`, 'tag values of at most 256 characters');
    }
  }
  if (tags.size > 50) throw new InputError('tags', `${tags.size} tags`, 'at most 50 tags');
  return tags;
}

function optionalWith<T>(value: string | undefined, read: (value: string) => T): T | undefined {
  return value === undefined ? undefined : read(value);
}
