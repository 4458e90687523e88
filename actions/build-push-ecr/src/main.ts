import { ECRClient } from '@aws-sdk/client-ecr';
import {
  Inputs,
  UserError,
  githubIdToken,
  output,
  runProcess,
  runnerLogger,
  writeSummary,
  type Logger,
} from '@deploy-actions/action-kit';
import { createClient, openAwsSession, type AwsInputs } from '@deploy-actions/aws';
import {
  buildAndPush,
  buildOnly,
  buildPushOutputs,
  prepareBuild,
  summarizeBuildPush,
  type BuildPushOptions,
  type BuildPushResult,
} from '@deploy-actions/ecr';
import { getInputs } from './inputs.js';

export async function main(): Promise<void> {
  const { aws, options } = getInputs(new Inputs());
  const logger = runnerLogger();
  for (const value of options.build.buildSecrets.values()) logger.mask(value);
  const buildOptions = await prepareBuild(options, { env: process.env, runProcess });
  const result = options.push
    ? await pushToEcr(aws, buildOptions, logger)
    : await buildOnly(buildOptions, { runProcess, logger });
  setOutputs(result);
  await writeSummary(summarizeBuildPush(result));
  failOnBlockingFindings(result, options.scan, logger);
}

async function pushToEcr(
  aws: AwsInputs,
  options: BuildPushOptions,
  logger: Logger,
): Promise<BuildPushResult> {
  const session = await openAwsSession(aws, 'build-push-ecr', {
    getIdToken: githubIdToken,
    logger,
  });
  const ecr = createClient(ECRClient, session);
  return buildAndPush(options, { ecr, runProcess, logger, region: session.region });
}

function setOutputs(result: BuildPushResult): void {
  const outputs = buildPushOutputs(result);
  output('image', outputs.image);
  output('image-tag-uri', outputs['image-tag-uri']);
  output('digest', outputs.digest);
  output('tags', outputs.tags);
  output('registry', outputs.registry);
  output('repository-uri', outputs['repository-uri']);
  output('skipped', outputs.skipped);
  output('scan-findings', outputs['scan-findings']);
}

function failOnBlockingFindings(
  result: BuildPushResult,
  scan: { mode: string; failOn?: string },
  logger: Logger,
): void {
  if (!result.scan) return;
  if (!('counts' in result.scan)) {
    logger.warning(result.scan.message);
    return;
  }
  const blocking = result.scan.blocking;
  if (blocking.length === 0) return;
  const worst = blocking
    .slice(0, 5)
    .map(
      (f) =>
        `${f.id} (${f.severity}, ${f.packageName} ${f.installedVersion}${f.fixedVersion ? ` → fixed in ${f.fixedVersion}` : ''})`,
    )
    .join('; ');
  throw new UserError(
    `The image has ${blocking.length} finding(s) at or above ${scan.failOn}: ${worst}${blocking.length > 5 ? '; …' : ''}.`,
    {
      hint: 'Update the affected packages, or list accepted ids in ignore-vulnerabilities. The image was pushed but should not be deployed.',
    },
  );
}
