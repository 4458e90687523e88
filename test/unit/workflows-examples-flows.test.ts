// What each example workflow does, in order: builds, migrates, deploys, smoke-tests, and how the
// pipeline and the rollback share their concurrency groups.
import {
  Concurrency,
  Input,
  Workflow,
  readText,
  load,
  ourAction,
  workflowCallInputs,
  steps,
  environmentName,
  pipelineConcurrencyProblems,
} from './workflows-examples-rules.js';

const order = (workflow: Workflow) =>
  steps(workflow)
    .map(({ step }) => (step.uses ? ourAction(step.uses)?.name : undefined))
    .filter((name): name is string => name !== undefined);

test('backend.yml: push to main builds, migrates, deploys, smoke-tests', () => {
  const workflow = load(readText('backend.yml'));
  expect(workflow.on).toEqual({ push: { branches: ['main'] } });
  expect(order(workflow).slice(0, 4)).toEqual([
    'build-push-ecr',
    'run-migrations',
    'deploy-apprunner-and-wait',
    'smoke-test',
  ]);
});

test('frontend.yml: builds the site, then syncs and invalidates, then smoke-tests', () => {
  const workflow = load(readText('frontend.yml'));
  expect(order(workflow)).toEqual(['sync-s3-invalidate-cloudfront', 'smoke-test']);
  const [build, deploy] = Object.values(workflow.jobs);
  expect(build!.steps!.some((s) => /npm run build/.test(s.run ?? ''))).toBe(true);
  expect(environmentName(build!)).toBeUndefined(); // the build never sees deploy secrets
  expect(build!.permissions).toEqual({ contents: 'read' }); // nor an OIDC token
  expect(environmentName(deploy!)).toBe('production');
});

test('one-step.yml: the root action builds, migrates in the VPC, deploys and smoke-tests in one step', () => {
  const workflow = load(readText('one-step.yml'));
  expect(workflow.on).toEqual({ push: { branches: ['main'] } });
  expect(order(workflow)).toEqual(['(root)']);
  const [job] = Object.values(workflow.jobs);
  expect(environmentName(job!)).toBe('production');
  const step = steps(workflow).find(({ step }) => step.uses === 'org/deploy-actions@v1')!.step;
  // Every stage selected: repository, command + ecs-cluster, service, url.
  expect(step.with).toMatchObject({
    repository: expect.any(String),
    command: expect.any(String),
    'ecs-cluster': expect.any(String),
    service: expect.any(String),
    url: expect.stringMatching(/^https:\/\//),
  });
  expect(step.with).not.toHaveProperty('rollback-on-failure'); // on by default
});

test('reusable-deploy.yml: workflow_call with environment and image inputs, secrets declared', () => {
  const workflow = load(readText('reusable-deploy.yml'));
  expect(Object.keys(workflow.on)).toEqual(['workflow_call']);
  const { inputs, secrets } = workflowCallInputs(workflow);
  expect(inputs.environment).toMatchObject({ type: 'string', required: true });
  expect(inputs.image).toMatchObject({ type: 'string', required: true });
  expect(Object.keys(secrets).length).toBeGreaterThan(0);
  expect(order(workflow)).toEqual(
    expect.arrayContaining(['deploy-apprunner-and-wait', 'smoke-test']),
  );
});

test('pipeline.yml: staging on every push to main, then production, one group per environment', () => {
  const workflow = load(readText('pipeline.yml'));
  expect(workflow.on).toEqual({ push: { branches: ['main'] } });
  const { problems, groups } = pipelineConcurrencyProblems(workflow);
  expect(problems).toEqual([]);
  expect([...groups.keys()].sort()).toEqual(['production', 'staging']);
  const production = Object.values(workflow.jobs).find(
    (j) => j.with?.environment === 'production',
  )!;
  const stagingJob = Object.entries(workflow.jobs).find(
    ([, j]) => j.with?.environment === 'staging',
  )![0];
  expect([production.needs].flat()).toContain(stagingJob);
});

test('rollback.yml: dispatched with an environment, an image (or previous) and a reason; shares the pipeline groups', () => {
  const workflow = load(readText('rollback.yml'));
  const dispatch = workflow.on.workflow_dispatch as { inputs: Record<string, Input> };
  expect(Object.keys(workflow.on)).toEqual(['workflow_dispatch']);
  expect(dispatch.inputs.environment).toMatchObject({ type: 'choice', required: true });
  expect(dispatch.inputs.image).toMatchObject({ required: true, default: 'previous' });
  expect(dispatch.inputs.reason).toMatchObject({ required: true });
  expect(order(workflow)).toEqual(['deploy-apprunner-and-wait', 'smoke-test']);
  expect(steps(workflow).some(({ step }) => /GITHUB_STEP_SUMMARY/.test(step.run ?? ''))).toBe(true);

  // The rollback of an environment waits for that environment's deploy, and the other way round.
  const { groups } = pipelineConcurrencyProblems(load(readText('pipeline.yml')));
  const [job] = Object.values(workflow.jobs);
  const group = (job!.concurrency as Concurrency).group!;
  const options = dispatch.inputs.environment?.options ?? [];
  expect(options.length).toBeGreaterThanOrEqual(2);
  for (const environment of options) {
    expect(group.replace('${{ inputs.environment }}', environment)).toBe(groups.get(environment));
  }
});

// --- the checks can fail ----------------------------------------------------------
