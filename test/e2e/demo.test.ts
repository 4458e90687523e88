// `npm run demo` as the README tells a newcomer to run it: it must finish on its own, in a few
// minutes, having deployed release 1 and rolled release 2 back; and without the container
// parts it must still deploy what it can (the front end) and say what to install.
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../support/harness.js';
import { missingContainerTools } from '../../tools/services/docker.js';

interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

function runDemo(env: Record<string, string> = {}): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(JEST_|NODE_OPTIONS$)/.test(name)),
    );
    const child = spawn('npm', ['run', '--silent', 'demo'], {
      cwd: REPO_ROOT,
      env: { ...clean, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 280_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

const withContainers = missingContainerTools() === undefined;

(withContainers ? test : test.skip)(
  'the full demo: release 1 deployed, release 2 fails its smoke test and is rolled back',
  async () => {
    const run = await runDemo();
    if (run.code !== 0)
      throw new Error(`The demo failed (${run.code ?? run.signal}):\n${run.output}`);
    expect(run.output).toMatch(/release 1 +✔ deploy-apprunner-and-wait +succeeded/);
    expect(run.output).toMatch(/release 1 +✔ smoke-test +succeeded/);
    expect(run.output).toMatch(/release 1 +✔ run-migrations +succeeded +Applied 3 migration/);
    expect(run.output).toMatch(/release 2 +✖ smoke-test +failed/);
    expect(run.output).toMatch(/release 2 +✔ rollback +succeeded/);
    expect(run.output).toContain(
      "(release 1's image: the failed release 2 was rolled back automatically)",
    );
    expect(run.output).toContain('Demo finished: release 1 deployed, release 2 rolled back.');
    // The root pipeline publishes release 2's site before its smoke test fails; the rollback
    // redeploys the API image only, and the closing line says so.
    expect(run.output).toMatch(
      /Front end: \S+ \(bucket demo-shop-web\), as release 2 published it \(0 uploaded, 4 unchanged; the rollback put back the API image only, not the site\)\./,
    );
    // Job summaries are printed as text, never as HTML.
    expect(run.output).toMatch(/Job summary of release 2/);
    expect(run.output).not.toMatch(/<(table|td|h3|p)>/);
    // Secrets stay masked: the database URL never appears.
    expect(run.output).not.toMatch(/postgres(ql)?:\/\/[^*\s]*@/);
    // No jest noise.
    expect(run.output).not.toMatch(/PASS|Tests:|Test Suites:/);
  },
  300_000,
);

test('without the container parts: the back end is skipped with the reason, the front end still ships', async () => {
  const run = await runDemo({ DEMO_WITHOUT_CONTAINERS: '1' });
  if (run.code !== 0)
    throw new Error(`The demo failed (${run.code ?? run.signal}):\n${run.output}`);
  expect(run.output).toMatch(/! Docker daemon and registry: left out on request/);
  expect(run.output).toContain('Back end skipped');
  expect(run.output).toMatch(/release 1 +✔ sync-s3-invalidate-cloudfront +succeeded +4 uploaded/);
  expect(run.output).toMatch(
    /release 2 +✔ sync-s3-invalidate-cloudfront +succeeded +0 uploaded, 4 unchanged/,
  );
  // The closing lines claim no API and no rollback: none ran.
  expect(run.output).not.toContain('Serving now');
  expect(run.output).toMatch(
    /Front end: \S+ \(bucket demo-shop-web\), as release 2 published it \(0 uploaded, 4 unchanged\)\./,
  );
  expect(run.output).toContain(
    'Demo finished: release 1 deployed, release 2 deployed (the front end only: the back end was skipped, see the notes above).',
  );
}, 300_000);
