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
  assertBuildxWhenNeeded,
  buildAndPush,
  buildOnly,
  commitSha,
  type BuildPushOptions,
  type BuildPushResult,
} from '@deploy-actions/ecr';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { getInputs, ociLabels, resolveContext } from './inputs.js';
import { summarySections } from './summary.js';

export async function main(): Promise<void> {
  const { aws, options } = getInputs(new Inputs());
  const logger = runnerLogger();
  for (const value of options.build.buildSecrets.values()) logger.mask(value);
  const sha = commitSha(process.env);
  const context = resolveContext(options.build.context, process.env.GITHUB_WORKSPACE);
  if (!existsSync(context))
    throw new UserError(`Input 'context': the folder ${context} does not exist.`);
  const labels = new Map([...ociLabels(sha, process.env, new Date()), ...options.build.labels]);

  await assertBuildxWhenNeeded(options.build, { runProcess });

  const buildOptions = {
    ...options,
    sha,
    build: { ...options.build, context, labels },
    tempDir: process.env.RUNNER_TEMP ?? tmpdir(),
  };
  const result = options.push
    ? await pushToEcr(aws, buildOptions, logger)
    : await buildOnly(buildOptions, { runProcess, logger });
  setOutputs(result);
  await writeSummary(summarySections(result));
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
  output('image', result.image);
  output('image-tag-uri', result.imageTagUri);
  output('digest', result.digest);
  output('tags', result.tags.join(','));
  output('registry', result.registry);
  output('repository-uri', result.repositoryUri);
  output('skipped', result.skipped);
  output(
    'scan-findings',
    JSON.stringify(result.scan && 'counts' in result.scan ? result.scan.counts : {}),
  );
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
