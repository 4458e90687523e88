/**
 * What the demo tells its reader that depends on this machine or on this run, as pure
 * functions (test/unit/demo-sandbox.test.ts): what to do when PostgreSQL cannot be used, and
 * the closing lines, derived from the stages that actually ran and how they ended.
 */

/** The server URL the sandbox uses, and whether it came from TEST_POSTGRES_URL. */
export function postgresServer(env: NodeJS.ProcessEnv = process.env): {
  url: string;
  fromEnv: boolean;
} {
  // The same default as tools/services/databases.ts, which creates the demo's database there.
  return env.TEST_POSTGRES_URL
    ? { url: env.TEST_POSTGRES_URL, fromEnv: true }
    : { url: 'postgres://postgres@127.0.0.1:5432/test', fromEnv: false };
}

interface PostgresTarget {
  host: string;
  port: string;
  user: string;
  database: string;
  password: boolean;
}

function postgresTarget(url: string): PostgresTarget {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username) || 'postgres';
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port || '5432',
    user,
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user,
    password: parsed.password !== '',
  };
}

/** The error's code: node's (ECONNREFUSED…) or PostgreSQL's SQLSTATE (28P01…). */
function errorCode(error: unknown): string {
  const withCode = error as { code?: unknown; errors?: Array<{ code?: unknown }> } | undefined;
  const code = withCode?.code ?? withCode?.errors?.[0]?.code;
  return typeof code === 'string' ? code : '';
}

function errorLine(error: unknown): string {
  // Not `instanceof Error`: errors from modules jest loads come from another realm.
  const raw = (error as { message?: unknown } | undefined)?.message;
  const message = typeof raw === 'string' ? raw : String(error);
  return message.split('\n')[0] || errorCode(error) || 'no message';
}

/**
 * Why the demo could not create its database on PostgreSQL, and exactly what makes it work:
 * the demo connects to `server.url` (host, port, user, database), creates a throwaway database
 * mig_<random> there and drops it at the end.
 */
export function postgresHint(server: { url: string; fromEnv: boolean }, error: unknown): string {
  const t = postgresTarget(server.url);
  const who = `user ${t.user} ${t.password ? 'with the password in TEST_POSTGRES_URL' : 'with no password'}`;
  const uses = `The demo connects to host ${t.host}, port ${t.port}, database ${t.database}, as ${who}${server.fromEnv ? ' (from TEST_POSTGRES_URL)' : ''}, and creates a throwaway database there (dropped at the end), so that user needs CREATEDB.`;
  const override =
    'Or set TEST_POSTGRES_URL to the postgres:// URL of another server, database and user that may create databases.';
  // The Debian commands fit the default target only: the local server's postgres superuser.
  const local = !server.fromEnv;
  const hba = `add the line "host all ${t.user} ${t.host}/32 trust" above the other host lines of pg_hba.conf (sudo -u postgres psql -c 'SHOW hba_file' prints where it is), then sudo service postgresql reload`;
  const createDb = local
    ? `sudo -u postgres createdb ${t.database}`
    : `create database ${t.database} on that server (createdb -h ${t.host} -p ${t.port} -U ${t.user} ${t.database})`;
  const code = errorCode(error);
  const cause = errorLine(error);
  let problem: string;
  let fix: string;
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(code)) {
    problem = `no server answered at ${t.host}:${t.port} (${cause}).`;
    fix = local
      ? `Install and start it: sudo apt-get install postgresql && sudo service postgresql start; then ${createDb}, and let ${t.user} log in from ${t.host} without a password: ${hba}.`
      : `Start the server at ${t.host}:${t.port}, or correct TEST_POSTGRES_URL.`;
  } else if (
    code === '28P01' ||
    (code === '28000' && /pg_hba|password|authentication/i.test(cause)) ||
    /password|SASL|SCRAM/i.test(cause)
  ) {
    problem = `the server at ${t.host}:${t.port} refused ${who} (${cause}).`;
    fix = t.password
      ? 'Correct the password in TEST_POSTGRES_URL.'
      : local
        ? `Let ${t.user} log in from ${t.host} without a password: ${hba}.`
        : 'Put the password in TEST_POSTGRES_URL, or allow this user without one (a trust line for its host in pg_hba.conf).';
  } else if (code === '28000') {
    problem = `the server at ${t.host}:${t.port} has no role ${t.user} (${cause}).`;
    fix = local
      ? `Create it: sudo -u postgres createuser --createdb ${t.user}.`
      : `Create the role ${t.user} with CREATEDB, or correct TEST_POSTGRES_URL.`;
  } else if (code === '3D000') {
    problem = `the server at ${t.host}:${t.port} has no database ${t.database} (${cause}).`;
    fix = `Create it: ${createDb}.`;
  } else if (code === '42501') {
    problem = `user ${t.user} may not create databases on ${t.host}:${t.port} (${cause}).`;
    fix = local
      ? `Grant it: sudo -u postgres psql -c 'ALTER ROLE "${t.user}" CREATEDB'.`
      : `Grant CREATEDB to ${t.user} (ALTER ROLE "${t.user}" CREATEDB).`;
  } else {
    problem = `the demo could not create its database at ${t.host}:${t.port} (${cause}).`;
    fix = local
      ? `Check that the server runs (sudo service postgresql start), that database ${t.database} exists (${createDb}) and that ${t.user} may log in from ${t.host} without a password (${hba}).`
      : 'Check the server and the URL in TEST_POSTGRES_URL.';
  }
  return `PostgreSQL: ${problem} ${fix} ${uses} ${server.fromEnv ? '' : override}`.trimEnd();
}

// --- The closing lines ----------------------------------------------------------------------

/** One line of the recap: a stage of a release and how it ended. */
export interface RecapRecord {
  release: number;
  step: string;
  result: 'succeeded' | 'failed' | 'skipped';
  detail: string;
}

const BACK_END_STEPS = new Set([
  'build-push-ecr',
  'run-migrations',
  'deploy-apprunner-and-wait',
  'rollback',
]);

export interface ClosingInput {
  records: readonly RecapRecord[];
  /** The release numbers, in the order they were deployed. */
  releases: readonly number[];
  /** The image App Runner runs now, when there is a service. */
  liveImage?: string;
  domainName: string;
  bucket: string;
}

/** The demo's last lines: what serves now, whose site the bucket holds, what each release did. */
export function closingLines(input: ClosingInput): string[] {
  const { records, releases } = input;
  const find = (release: number, step: string) =>
    records.find((r) => r.release === release && r.step === step);
  const succeeded = (release: number, step: string) => find(release, step)?.result === 'succeeded';
  const backEndRan = (release: number) =>
    records.some(
      (r) => r.release === release && BACK_END_STEPS.has(r.step) && r.result !== 'skipped',
    );
  const rolledBack = releases.filter((n) => succeeded(n, 'rollback'));
  const lines: string[] = [];

  // The API: the last release whose deploy succeeded and was not rolled back.
  const serving = [...releases]
    .reverse()
    .find((n) => succeeded(n, 'deploy-apprunner-and-wait') && find(n, 'rollback') === undefined);
  if (serving !== undefined) {
    const after = rolledBack.filter((n) => n > serving);
    const failedRollback = releases.find(
      (n) => n > serving && find(n, 'rollback') && !succeeded(n, 'rollback'),
    );
    lines.push(`Serving now: ${input.liveImage ?? '(unknown)'}`);
    lines.push(
      failedRollback !== undefined
        ? `  (release ${failedRollback}'s rollback failed: see its job summary for what serves)`
        : `  (release ${serving}'s image${after.length > 0 ? `: the failed release ${after.join(' and ')} was rolled back automatically` : ''})`,
    );
  }

  // The site: the last release whose sync succeeded. A rollback puts back the API image only.
  const site = [...releases].reverse().find((n) => succeeded(n, 'sync-s3-invalidate-cloudfront'));
  if (site === undefined) {
    lines.push(`Front end: ${input.domainName} (bucket ${input.bucket}): no release published it.`);
  } else {
    const notes = [find(site, 'sync-s3-invalidate-cloudfront')!.detail];
    if (rolledBack.includes(site))
      notes.push(`the rollback put back the API image only, not the site`);
    const stoppedBefore = releases.filter(
      (n) => n > site && find(n, 'sync-s3-invalidate-cloudfront') === undefined,
    );
    if (stoppedBefore.length > 0)
      notes.push(`release ${stoppedBefore.join(' and ')} stopped before publishing its site`);
    lines.push(
      `Front end: ${input.domainName} (bucket ${input.bucket}), as release ${site} published it (${notes.join('; ')}).`,
    );
  }

  const outcome = (n: number): string => {
    const rollback = find(n, 'rollback');
    if (rollback?.result === 'succeeded') return `release ${n} rolled back`;
    if (rollback) return `release ${n} failed and so did its rollback`;
    if (succeeded(n, 'deploy-apprunner-and-wait')) return `release ${n} deployed`;
    if (!backEndRan(n) && succeeded(n, 'sync-s3-invalidate-cloudfront'))
      return `release ${n} deployed`;
    return `release ${n} failed`;
  };
  const frontEndOnly = releases.every((n) => !backEndRan(n));
  lines.push(
    `\nDemo finished: ${releases.map(outcome).join(', ')}${frontEndOnly ? ' (the front end only: the back end was skipped, see the notes above)' : ''}.`,
  );
  return lines;
}
