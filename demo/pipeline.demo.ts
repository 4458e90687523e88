/**
 * `npm run demo`: two deploys of a small shop (demo/app) into a local sandbox, with no AWS
 * account. Release 1 goes live; release 2 passes App Runner's own health check but fails the
 * smoke test, so the pipeline puts release 1 back and says so.
 *
 * Each step runs an action's committed bundle through tools/runner (the same code as
 * `npx deploy-actions <action> …`), as a GitHub job would run it.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAction, runInTerminal, type RunResult } from '../tools/runner/index.mjs';
import {
  ACCESS_ROLE,
  BUCKET,
  DATABASE_SECRET,
  SERVICE,
  asEcrImage,
  cleanBaseEnv,
  startSandbox,
  type Sandbox,
} from './sandbox.js';
import { closingLines } from './notes.js';

const DEMO = path.dirname(fileURLToPath(import.meta.url));
const write = (text: string) => void process.stdout.write(text);
const say = (text = '') => write(`${text}\n`);
const rule = (title: string) => say(`\n━━ ${title} ${'━'.repeat(Math.max(3, 76 - title.length))}`);

interface Release {
  number: number;
  sha: string;
  /** What this commit changed, for the reader. */
  change: string;
  /** Edits the API's routes (a commit's change). */
  editRoutes?: (routes: Record<string, { status: number; body: unknown }>) => void;
}

const commit = (label: string) => createHash('sha1').update(label).digest('hex');

const RELEASES: Release[] = [
  {
    number: 1,
    sha: commit('demo-shop release 1'),
    change: 'the first release: API, migrations, front end',
  },
  {
    number: 2,
    sha: commit('demo-shop release 2'),
    change:
      'a bug: /health now answers 500 (a missing setting). App Runner checks only that the port is open, so it goes live; the smoke test catches it.',
    editRoutes: (routes) => {
      routes['/health'] = {
        status: 500,
        body: { status: 'error', error: 'PAYMENTS_URL is not set' },
      };
    },
  },
];

interface StepRecord {
  release: number;
  step: string;
  result: 'succeeded' | 'failed' | 'skipped';
  detail: string;
}

const records: StepRecord[] = [];
/** The job summary of the release being deployed: each step's, in order. */
let summaries: string[] = [];
let sandbox: Sandbox;
let work: string;

/** Runs one action like a workflow step, its log indented under a title. */
async function step(
  release: Release,
  title: string,
  actionName: string,
  values: Record<string, string>,
): Promise<RunResult> {
  say(`\n▶ ${title}  (${actionName})`);
  const action = loadAction(actionName);
  if (!action) throw new Error(`No action ${actionName} in this checkout`);
  const indent = (text: string) =>
    text
      .replace(/\n$/, '')
      .split('\n')
      .map((line) => `  │ ${line}`.trimEnd())
      .join('\n') + '\n';
  const result = await runInTerminal({
    action,
    values,
    cwd: work,
    env: cleanBaseEnv(),
    extraEnv: {
      ...sandbox.env,
      GITHUB_SHA: release.sha,
      GITHUB_RUN_ID: String(4200 + release.number),
    },
    write: (text) => write(indent(text)),
    writeError: (text) => write(indent(text)),
  });
  const ok = result.exitCode === 0;
  say(`  ${ok ? '✔' : '✖'} ${title}: ${ok ? 'done' : 'FAILED'}`);
  summaries.push(result.summaryText);
  return result;
}

function record(release: Release, stepName: string, result: StepRecord['result'], detail: string) {
  records.push({ release: release.number, step: stepName, result, detail });
}

/** The API's build context for a release: demo/app/api with its version stamped (and its change). */
async function apiContext(release: Release): Promise<string> {
  const dir = path.join(work, `api-release-${release.number}`);
  await cp(path.join(DEMO, 'app/api'), dir, { recursive: true });
  const routesFile = path.join(dir, 'routes.json');
  const routes = JSON.parse(
    (await readFile(routesFile, 'utf8')).replaceAll('${VERSION}', release.sha),
  ) as Record<string, { status: number; body: unknown }>;
  release.editRoutes?.(routes);
  await writeFile(routesFile, `${JSON.stringify(routes, null, 2)}\n`);
  await writeFile(path.join(dir, 'version.txt'), `${release.sha}\n`);
  return dir;
}

/** One release through the pipeline: build → migrate → deploy → smoke test (→ rollback), then the front end. */
async function deployRelease(release: Release): Promise<void> {
  summaries = [];
  try {
    await deployStages(release);
  } finally {
    rule(`Job summary of release ${release.number}`);
    say(summaries.filter((text) => text.trim() !== '').join('\n\n'));
  }
}

/**
 * The root action when it is built (one step runs every stage, with automatic rollback);
 * DEMO_PIPELINE=steps runs the actions one by one instead, as separate workflow steps would.
 */
const ROOT_PIPELINE = process.env.DEMO_PIPELINE !== 'steps' && loadAction('deploy')?.built === true;

async function deployStages(release: Release): Promise<void> {
  if (ROOT_PIPELINE) return deployWithRootAction(release);
  return deployStepByStep(release);
}

/** One `uses: org/deploy-actions@v1` step: build → migrate → deploy → site → smoke, rollback included. */
async function deployWithRootAction(release: Release): Promise<void> {
  rule(`Release ${release.number} (commit ${release.sha.slice(0, 7)})`);
  say(`What changed: ${release.change}`);
  const backend = Boolean(sandbox.docker && sandbox.registry);
  if (!backend)
    say('\n(Back end skipped: no Docker daemon and registry; see the sandbox notes above.)');
  const inputs: Record<string, string> = {
    'source-dir': path.join(DEMO, 'app/web'),
    bucket: BUCKET,
    'distribution-id': sandbox.distribution.id,
    'invalidation-timeout': '2m',
    'smoke-timeout': '8s',
    interval: '1s',
    url: `${sandbox.s3.endpoint}/${BUCKET}/index.html`,
  };
  if (backend) {
    Object.assign(inputs, {
      repository: 'demo-shop/api',
      context: await apiContext(release),
      'tag-mutability': 'IMMUTABLE',
      scan: 'off',
      service: SERVICE,
      'create-if-missing': 'true',
      'access-role-arn': ACCESS_ROLE,
      port: '8080',
      'deploy-timeout': '2m',
      url: `${sandbox.runtime.origin}/health`,
      'expect-version': release.sha,
      'version-path': 'version',
    });
    if (sandbox.database) {
      Object.assign(inputs, {
        'migrations-dir': path.join(DEMO, 'app/migrations'),
        'database-url-secret-id': DATABASE_SECRET,
        ssl: 'disable', // the local PostgreSQL has no TLS; RDS would use verify-full
      });
    }
  }
  const run = await step(release, 'Deploy (the whole pipeline in one step)', 'deploy', inputs);
  const stages = JSON.parse(run.outputs.stages || '{}') as Record<string, string>;
  const detail: Record<string, string> = {
    'build-push-ecr': `image ${run.outputs.digest?.slice(0, 19)}…`,
    'run-migrations':
      run.outputs.applied === '0'
        ? 'Nothing to apply: the database was up to date.'
        : `Applied ${run.outputs.applied} migration(s).`,
    'deploy-apprunner-and-wait': run.outputs.status ?? '',
    'sync-s3-invalidate-cloudfront': `${run.outputs.uploaded ?? 0} uploaded, ${run.outputs.unchanged ?? 0} unchanged`,
    'smoke-test':
      run.outputs.passed === 'true'
        ? `${release.sha.slice(0, 7)} answers`
        : 'the new version failed',
  };
  for (const [stage, outcome] of Object.entries(stages)) {
    const result =
      outcome === 'succeeded' ? 'succeeded' : outcome === 'failed' ? 'failed' : 'skipped';
    record(release, stage, result, detail[stage] ?? outcome);
  }
  if (run.outputs['rolled-back'] === 'true') {
    record(
      release,
      'rollback',
      run.outputs['rollback-smoke-passed'] === 'true' ? 'succeeded' : 'failed',
      `${(run.outputs['deploy-image'] ?? '').split('/').pop()} serves again`,
    );
  } else if (run.exitCode !== 0) {
    throw new Error('The pipeline failed without a rollback');
  }
}

async function deployStepByStep(release: Release): Promise<void> {
  rule(`Release ${release.number} (commit ${release.sha.slice(0, 7)})`);
  say(`What changed: ${release.change}`);
  const backend = Boolean(sandbox.docker && sandbox.registry);
  if (!backend) {
    say('\n(Back end skipped: no Docker daemon and registry; see the sandbox notes above.)');
    record(release, 'back end', 'skipped', 'no Docker daemon/registry');
  } else {
    const build = await step(release, 'Build and push the API image', 'build-push-ecr', {
      repository: 'demo-shop/api',
      context: await apiContext(release),
      'tag-mutability': 'IMMUTABLE',
      scan: 'off',
    });
    if (build.exitCode !== 0) throw new Error('build-push-ecr failed');
    record(release, 'build-push-ecr', 'succeeded', `image ${build.outputs.digest?.slice(0, 19)}…`);

    if (sandbox.database) {
      const migrate = await step(release, 'Migrate the database', 'run-migrations', {
        'migrations-dir': path.join(DEMO, 'app/migrations'),
        'database-url-secret-id': DATABASE_SECRET,
        ssl: 'disable', // the local PostgreSQL has no TLS; RDS would use verify-full
      });
      if (migrate.exitCode !== 0) throw new Error('run-migrations failed');
      record(
        release,
        'run-migrations',
        'succeeded',
        summaryLine(migrate, /appl|pending|up to date/i),
      );
    } else {
      record(release, 'run-migrations', 'skipped', 'no PostgreSQL');
    }

    // The sandbox's ECR keeps images in a local registry (127.0.0.1:<port>); App Runner's API
    // accepts only ECR host names, so App Runner gets the same digest under the account's ECR
    // host, as build-push-ecr's output would read on AWS.
    const image = asEcrImage(build.outputs['image-tag-uri'] ?? '');
    const deploy = await step(
      release,
      'Deploy to App Runner and wait',
      'deploy-apprunner-and-wait',
      {
        service: SERVICE,
        image,
        'create-if-missing': 'true',
        'access-role-arn': ACCESS_ROLE,
        port: '8080',
        timeout: '2m',
      },
    );
    if (deploy.exitCode !== 0) throw new Error('deploy-apprunner-and-wait failed');
    record(release, 'deploy-apprunner-and-wait', 'succeeded', `${deploy.outputs.status}`);

    const smoke = await step(release, 'Smoke test the API', 'smoke-test', {
      url: `${sandbox.runtime.origin}/health`,
      'expect-version': release.sha,
      'version-path': 'version',
      timeout: '8s',
      interval: '1s',
    });
    if (smoke.exitCode === 0) {
      record(release, 'smoke-test', 'succeeded', `${release.sha.slice(0, 7)} answers /health`);
    } else {
      record(release, 'smoke-test', 'failed', summaryLine(smoke, /failed/i));
      const previous = deploy.outputs['previous-image'] ?? '';
      if (!previous)
        throw new Error('The smoke test failed and there is no previous image to roll back to');
      say(`\nThe new version failed its smoke test: rolling back to ${previous}`);
      const rollback = await step(
        release,
        'Roll back: deploy the previous image',
        'deploy-apprunner-and-wait',
        {
          service: SERVICE,
          image: previous,
          timeout: '2m',
        },
      );
      if (rollback.exitCode !== 0) throw new Error('the rollback deploy failed');
      const back = await step(release, 'Smoke test the rolled-back version', 'smoke-test', {
        url: `${sandbox.runtime.origin}/health`,
        timeout: '8s',
        interval: '1s',
      });
      record(
        release,
        'rollback',
        back.exitCode === 0 ? 'succeeded' : 'failed',
        `${previous.split('/').pop()} serves again`,
      );
      return; // a failed release stops here, as the pipeline would: the front end stays as it was
    }
  }

  const sync = await step(
    release,
    'Publish the front end and invalidate CloudFront',
    'sync-s3-invalidate-cloudfront',
    {
      'source-dir': path.join(DEMO, 'app/web'),
      bucket: BUCKET,
      'distribution-id': sandbox.distribution.id,
      'invalidation-timeout': '2m',
    },
  );
  if (sync.exitCode !== 0) throw new Error('sync-s3-invalidate-cloudfront failed');
  record(
    release,
    'sync-s3-invalidate-cloudfront',
    'succeeded',
    `${sync.outputs.uploaded ?? 0} uploaded, ${sync.outputs.unchanged ?? 0} unchanged`,
  );
  // CloudFront's edge is not simulated: the site is checked where CloudFront reads it, the bucket.
  const web = await step(release, 'Smoke test the front end', 'smoke-test', {
    url: `${sandbox.s3.endpoint}/${BUCKET}/index.html`,
    timeout: '8s',
  });
  record(release, 'smoke-test (web)', web.exitCode === 0 ? 'succeeded' : 'failed', 'index.html');
}

/** The first summary line matching `pattern`, for the recap. */
function summaryLine(result: RunResult, pattern: RegExp): string {
  return (
    result.summaryText
      .split('\n')
      .map((line) => line.trim())
      .find((line) => pattern.test(line) && !/^[-=]+$/.test(line)) ?? ''
  ).slice(0, 70);
}

beforeAll(async () => {
  say('deploy-actions demo: a full deploy and a rollback, on this machine, with no AWS account.');
  rule('Sandbox');
  work = await mkdtemp(path.join(tmpdir(), 'deploy-actions-demo-'));
  sandbox = await startSandbox({
    progress: (line) => say(`  · ${line}`),
    withoutContainers: process.env.DEMO_WITHOUT_CONTAINERS === '1',
  });
  say(
    `  · App Runner service ${SERVICE} will answer at ${sandbox.runtime.origin} (a stand-in serving the live image)`,
  );
  if (sandbox.missing.length > 0) {
    say('\nNot available here (those stages are skipped):');
    for (const line of sandbox.missing) say(`  ! ${line}`);
  }
});

afterAll(async () => {
  await sandbox?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test('two releases: the first goes live, the second is rolled back', async () => {
  for (const release of RELEASES) await deployRelease(release);

  rule('What happened');
  const width = Math.max(...records.map((r) => r.step.length));
  for (const r of records) {
    const mark = r.result === 'succeeded' ? '✔' : r.result === 'failed' ? '✖' : '–';
    say(
      `  release ${r.release}  ${mark} ${r.step.padEnd(width)}  ${r.result.padEnd(9)}  ${r.detail}`,
    );
  }
  const backend = Boolean(sandbox.docker && sandbox.registry);
  let live: string | undefined;
  if (backend) {
    live = sandbox.apprunner.liveImage(SERVICE) ?? '';
    const health = await fetch(`${sandbox.runtime.origin}/health`);
    const body = (await health.json()) as { version?: string };
    expect(health.status).toBe(200);
    expect(body.version).toBe(RELEASES[0]!.sha);
    expect(records).toContainEqual(
      expect.objectContaining({ release: 2, step: 'smoke-test', result: 'failed' }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({ release: 2, step: 'rollback', result: 'succeeded' }),
    );
  }
  const site = await fetch(`${sandbox.s3.endpoint}/${BUCKET}/index.html`);
  expect(site.status).toBe(200);
  // What serves, whose site the bucket holds and what each release did: from the stages that ran.
  say();
  const closing = closingLines({
    records,
    releases: RELEASES.map((r) => r.number),
    ...(live !== undefined && { liveImage: live }),
    domainName: sandbox.distribution.domainName,
    bucket: BUCKET,
  });
  for (const line of closing) say(line);
  say('Run any action yourself: npx deploy-actions --help');
});
