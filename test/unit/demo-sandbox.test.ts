// What the demo finds missing on a machine and what it prints about it, and its closing lines,
// through injected lookups and records: no machine state is read or changed (except a
// temporary folder for the PATH lookup).
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import {
  SBIN_DIRS,
  containerToolsHint,
  findContainerTools,
  lookupProgram,
  missingContainerTools,
  type ProgramLookup,
} from '../../tools/services/docker.js';
import { closingLines, postgresHint, postgresServer, type RecapRecord } from '../../demo/notes.js';

/** A machine holding exactly these programs (name → path). */
const machine =
  (programs: Record<string, string>): ProgramLookup =>
  (name) =>
    programs[name];

const DEBIAN = {
  dockerd: '/usr/sbin/dockerd',
  docker: '/usr/bin/docker',
  'docker-registry': '/usr/bin/docker-registry',
  htpasswd: '/usr/bin/htpasswd',
};

describe('container tools', () => {
  test('all there (Debian): each tool by the path the lookup found, nothing missing', () => {
    expect(findContainerTools(machine(DEBIAN))).toEqual({
      tools: {
        dockerd: '/usr/sbin/dockerd',
        docker: '/usr/bin/docker',
        registry: '/usr/bin/docker-registry',
        htpasswd: '/usr/bin/htpasswd',
      },
    });
    expect(missingContainerTools(machine(DEBIAN))).toBeUndefined();
  });

  test('the upstream registry binary (registry) and a Docker Engine elsewhere on PATH will do', () => {
    const result = findContainerTools(
      machine({
        dockerd: '/opt/docker/bin/dockerd',
        docker: '/opt/docker/bin/docker',
        registry: '/home/me/bin/registry',
        htpasswd: '/usr/local/bin/htpasswd',
      }),
    );
    expect(result).toEqual({
      tools: {
        dockerd: '/opt/docker/bin/dockerd',
        docker: '/opt/docker/bin/docker',
        registry: '/home/me/bin/registry',
        htpasswd: '/usr/local/bin/htpasswd',
      },
    });
  });

  test('Debian names the registry docker-registry: it wins over a registry found too', () => {
    const result = findContainerTools(machine({ ...DEBIAN, registry: '/usr/local/bin/registry' }));
    expect('tools' in result && result.tools.registry).toBe('/usr/bin/docker-registry');
  });

  test('only dockerd missing: names it, Debian package docker.io, any Docker Engine elsewhere', () => {
    const { dockerd: _, ...rest } = DEBIAN;
    const result = findContainerTools(machine(rest));
    expect(result).toEqual({ missing: ['dockerd'], hint: expect.any(String) });
    const hint = missingContainerTools(machine(rest))!;
    expect(hint).toMatch(
      /^missing dockerd \(looked on PATH and in \/usr\/local\/sbin, \/usr\/sbin, \/sbin\)\./,
    );
    expect(hint).toContain('On Debian or Ubuntu: sudo apt-get install docker.io.');
    expect(hint).toContain('any Docker Engine provides dockerd and docker (docker-ce');
    expect(hint).not.toMatch(/docker-registry|distribution|apache2-utils/);
  });

  test('dockerd and docker missing: docker.io once, the Docker Engine note once', () => {
    const hint = containerToolsHint(['dockerd', 'docker']);
    expect(hint).toContain('missing dockerd, docker (');
    expect(hint).toContain('sudo apt-get install docker.io.');
    expect(hint.match(/any Docker Engine/g)).toHaveLength(1);
  });

  test('only the registry missing: docker-registry on Debian, the distribution registry binary elsewhere', () => {
    const { 'docker-registry': _, ...rest } = DEBIAN;
    const hint = missingContainerTools(machine(rest))!;
    expect(hint).toMatch(/^missing docker-registry \(or registry\) \(/);
    expect(hint).toContain('sudo apt-get install docker-registry.');
    expect(hint).toContain(
      'the registry is the `registry` binary of CNCF Distribution (https://github.com/distribution/distribution/releases)',
    );
    expect(hint).not.toMatch(/docker\.io|Docker Engine|apache2-utils/);
  });

  test('nothing installed: one apt-get line with every Debian package, and each other source', () => {
    const hint = missingContainerTools(machine({}))!;
    expect(hint).toContain(
      'missing dockerd, docker, docker-registry (or registry), htpasswd (looked on PATH',
    );
    expect(hint).toContain('sudo apt-get install docker.io docker-registry apache2-utils.');
    expect(hint).toContain('Docker Engine');
    expect(hint).toContain('CNCF Distribution');
    expect(hint).toContain('httpd-tools on Fedora and RHEL');
  });
});

describe('lookupProgram (this machine)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lookup-'));
    for (const sub of ['a', 'b', 'sbin']) await mkdir(path.join(dir, sub));
    await writeFile(path.join(dir, 'a', 'tool-x'), '#!/bin/sh\n');
    await chmod(path.join(dir, 'a', 'tool-x'), 0o755);
    await writeFile(path.join(dir, 'b', 'tool-x'), '#!/bin/sh\n');
    await chmod(path.join(dir, 'b', 'tool-x'), 0o755);
    await writeFile(path.join(dir, 'sbin', 'daemon-y'), '#!/bin/sh\n');
    await chmod(path.join(dir, 'sbin', 'daemon-y'), 0o755);
    await writeFile(path.join(dir, 'sbin', 'tool-x'), '#!/bin/sh\n');
    await chmod(path.join(dir, 'sbin', 'tool-x'), 0o755);
    await writeFile(path.join(dir, 'a', 'not-executable'), 'data');
    await chmod(path.join(dir, 'a', 'not-executable'), 0o644);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('the first PATH folder holding an executable file wins', () => {
    const PATH = [path.join(dir, 'b'), path.join(dir, 'a')].join(path.delimiter);
    expect(lookupProgram('tool-x', { PATH })).toBe(path.join(dir, 'b', 'tool-x'));
  });

  test('a file without the execute bit, a folder, or no such name: not found', () => {
    const PATH = path.join(dir, 'a');
    if (process.getuid?.() !== 0) expect(lookupProgram('not-executable', { PATH })).toBeUndefined();
    expect(lookupProgram('a', { PATH: dir })).toBeUndefined();
    expect(lookupProgram(`no-such-program-${process.pid}`, { PATH })).toBeUndefined();
  });

  test('the sbin folders are searched after PATH (dockerd is in /usr/sbin on Debian)', () => {
    expect(SBIN_DIRS).toEqual(['/usr/local/sbin', '/usr/sbin', '/sbin']);
    const sbin = [path.join(dir, 'sbin')];
    const PATH = path.join(dir, 'a');
    expect(lookupProgram('daemon-y', { PATH }, sbin)).toBe(path.join(dir, 'sbin', 'daemon-y'));
    expect(lookupProgram('tool-x', { PATH }, sbin)).toBe(path.join(dir, 'a', 'tool-x'));
    expect(lookupProgram('daemon-y', { PATH }, [])).toBeUndefined();
  });
});

describe('PostgreSQL hint', () => {
  const local = postgresServer({});
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
    code: 'ECONNREFUSED',
  });

  test('the default server, or TEST_POSTGRES_URL when set', () => {
    expect(local).toEqual({ url: 'postgres://postgres@127.0.0.1:5432/test', fromEnv: false });
    expect(postgresServer({ TEST_POSTGRES_URL: 'postgres://u@h:1/d' })).toEqual({
      url: 'postgres://u@h:1/d',
      fromEnv: true,
    });
  });

  test('nothing answers: install, start, create the database, allow the login; says what it uses', () => {
    const hint = postgresHint(local, refused);
    expect(hint).toMatch(
      /^PostgreSQL: no server answered at 127\.0\.0\.1:5432 \(connect ECONNREFUSED 127\.0\.0\.1:5432\)\./,
    );
    expect(hint).toContain('sudo apt-get install postgresql && sudo service postgresql start');
    expect(hint).toContain('sudo -u postgres createdb test');
    expect(hint).toContain('"host all postgres 127.0.0.1/32 trust"');
    expect(hint).toContain('sudo service postgresql reload');
    expect(hint).toContain(
      'The demo connects to host 127.0.0.1, port 5432, database test, as user postgres with no password,',
    );
    expect(hint).toContain('Or set TEST_POSTGRES_URL');
    // The demo's output must never show a URL with credentials (its e2e test checks).
    expect(hint).not.toMatch(/postgres(ql)?:\/\/[^*\s]*@/);
  });

  test("an error from another realm (jest's module registry) or without a message still reads well", () => {
    const foreign = vm.runInNewContext(
      "Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })",
    ) as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(postgresHint(local, foreign)).toMatch(
      /^PostgreSQL: no server answered at 127\.0\.0\.1:5432 \(connect ECONNREFUSED 127\.0\.0\.1:5432\)\. Install/,
    );
    const aggregate = Object.assign(new AggregateError([], ''), {
      errors: [{ code: 'ECONNREFUSED' }],
    });
    expect(postgresHint(local, aggregate)).toMatch(
      /^PostgreSQL: no server answered at 127\.0\.0\.1:5432 \(ECONNREFUSED\)\./,
    );
  });

  test('the server refuses the login (no pg_hba entry, or a password required)', () => {
    const noEntry = Object.assign(
      new Error('no pg_hba.conf entry for host "127.0.0.1", user "postgres", database "test"'),
      { code: '28000' },
    );
    const scram = new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string');
    for (const error of [noEntry, scram]) {
      const hint = postgresHint(local, error);
      expect(hint).toContain(
        'PostgreSQL: the server at 127.0.0.1:5432 refused user postgres with no password',
      );
      expect(hint).toContain('"host all postgres 127.0.0.1/32 trust"');
      expect(hint).not.toContain('apt-get install');
      expect(hint).not.toContain('createdb');
    }
  });

  test('the database to connect to does not exist: create it', () => {
    const error = Object.assign(new Error('database "test" does not exist'), { code: '3D000' });
    const hint = postgresHint(local, error);
    expect(hint).toContain('has no database test');
    expect(hint).toContain('Create it: sudo -u postgres createdb test.');
    expect(hint).not.toContain('apt-get install');
  });

  test('the user may not create databases: grant CREATEDB', () => {
    const error = Object.assign(new Error('permission denied to create database'), {
      code: '42501',
    });
    expect(postgresHint(local, error)).toContain(
      `sudo -u postgres psql -c 'ALTER ROLE "postgres" CREATEDB'`,
    );
  });

  test('TEST_POSTGRES_URL: its host, port, user and database, never its password, no Debian commands', () => {
    const server = postgresServer({
      TEST_POSTGRES_URL: 'postgres://app:s3cret@db.internal:6543/ci',
    });
    const error = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6543'), {
      code: 'ECONNREFUSED',
    });
    const hint = postgresHint(server, error);
    expect(hint).toContain('no server answered at db.internal:6543');
    expect(hint).toContain(
      'host db.internal, port 6543, database ci, as user app with the password in TEST_POSTGRES_URL (from TEST_POSTGRES_URL)',
    );
    expect(hint).toContain('or correct TEST_POSTGRES_URL');
    expect(hint).not.toContain('s3cret');
    expect(hint).not.toContain('sudo');
    expect(hint).not.toContain('Or set TEST_POSTGRES_URL');
  });
});

describe('closing lines', () => {
  const ok = (release: number, step: string, detail = ''): RecapRecord => ({
    release,
    step,
    result: 'succeeded',
    detail,
  });
  const failed = (release: number, step: string, detail = ''): RecapRecord => ({
    release,
    step,
    result: 'failed',
    detail,
  });
  const base = { releases: [1, 2], domainName: 'd1.cloudfront.net', bucket: 'demo-shop-web' };
  const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/demo-shop/api@sha256:aaa';

  test('the root pipeline: release 2 published its site, then failed its smoke test and was rolled back', () => {
    const records = [1, 2].flatMap((n) => [
      ok(n, 'build-push-ecr'),
      ok(n, 'run-migrations'),
      ok(n, 'deploy-apprunner-and-wait', 'SUCCEEDED'),
      ok(
        n,
        'sync-s3-invalidate-cloudfront',
        n === 1 ? '4 uploaded, 0 unchanged' : '0 uploaded, 4 unchanged',
      ),
      n === 1 ? ok(n, 'smoke-test') : failed(n, 'smoke-test'),
    ]);
    records.push(ok(2, 'rollback', 'api@sha256:aaa serves again'));
    expect(closingLines({ ...base, records, liveImage: IMAGE })).toEqual([
      `Serving now: ${IMAGE}`,
      "  (release 1's image: the failed release 2 was rolled back automatically)",
      'Front end: d1.cloudfront.net (bucket demo-shop-web), as release 2 published it (0 uploaded, 4 unchanged; the rollback put back the API image only, not the site).',
      '\nDemo finished: release 1 deployed, release 2 rolled back.',
    ]);
  });

  test('step by step: release 2 stops at its rollback, so the site is still release 1’s', () => {
    const records = [
      ok(1, 'build-push-ecr'),
      ok(1, 'deploy-apprunner-and-wait'),
      ok(1, 'smoke-test'),
      ok(1, 'sync-s3-invalidate-cloudfront', '4 uploaded, 0 unchanged'),
      ok(1, 'smoke-test (web)'),
      ok(2, 'build-push-ecr'),
      ok(2, 'deploy-apprunner-and-wait'),
      failed(2, 'smoke-test'),
      ok(2, 'rollback'),
    ];
    const lines = closingLines({ ...base, records, liveImage: IMAGE });
    expect(lines[1]).toBe(
      "  (release 1's image: the failed release 2 was rolled back automatically)",
    );
    expect(lines[2]).toBe(
      'Front end: d1.cloudfront.net (bucket demo-shop-web), as release 1 published it (4 uploaded, 0 unchanged; release 2 stopped before publishing its site).',
    );
    expect(lines[3]).toBe('\nDemo finished: release 1 deployed, release 2 rolled back.');
  });

  test('no back end (root pipeline): nothing about an API or a rollback', () => {
    const records = [1, 2].flatMap((n) => [
      ok(
        n,
        'sync-s3-invalidate-cloudfront',
        n === 1 ? '4 uploaded, 0 unchanged' : '0 uploaded, 4 unchanged',
      ),
      ok(n, 'smoke-test'),
    ]);
    expect(closingLines({ ...base, records })).toEqual([
      'Front end: d1.cloudfront.net (bucket demo-shop-web), as release 2 published it (0 uploaded, 4 unchanged).',
      '\nDemo finished: release 1 deployed, release 2 deployed (the front end only: the back end was skipped, see the notes above).',
    ]);
  });

  test("no back end (step by step: a skipped 'back end' record): the same story", () => {
    const records = [1, 2].flatMap((n): RecapRecord[] => [
      { release: n, step: 'back end', result: 'skipped', detail: 'no Docker daemon/registry' },
      ok(n, 'sync-s3-invalidate-cloudfront', '0 uploaded, 4 unchanged'),
      ok(n, 'smoke-test (web)'),
    ]);
    const lines = closingLines({ ...base, records });
    expect(lines.some((line) => line.startsWith('Serving now'))).toBe(false);
    expect(lines.at(-1)).toContain('(the front end only: the back end was skipped');
  });

  test('both releases pass: release 2 serves and published the site, no rollback is claimed', () => {
    const records = [1, 2].flatMap((n) => [
      ok(n, 'deploy-apprunner-and-wait'),
      ok(n, 'sync-s3-invalidate-cloudfront', '1 uploaded, 3 unchanged'),
      ok(n, 'smoke-test'),
    ]);
    expect(closingLines({ ...base, records, liveImage: IMAGE })).toEqual([
      `Serving now: ${IMAGE}`,
      "  (release 2's image)",
      'Front end: d1.cloudfront.net (bucket demo-shop-web), as release 2 published it (1 uploaded, 3 unchanged).',
      '\nDemo finished: release 1 deployed, release 2 deployed.',
    ]);
  });

  test('a failed rollback is not reported as release 1 serving', () => {
    const records = [
      ok(1, 'deploy-apprunner-and-wait'),
      ok(1, 'sync-s3-invalidate-cloudfront', '4 uploaded, 0 unchanged'),
      ok(2, 'deploy-apprunner-and-wait'),
      ok(2, 'sync-s3-invalidate-cloudfront', '0 uploaded, 4 unchanged'),
      failed(2, 'smoke-test'),
      failed(2, 'rollback'),
    ];
    const lines = closingLines({ ...base, records, liveImage: IMAGE });
    expect(lines[1]).toBe("  (release 2's rollback failed: see its job summary for what serves)");
    expect(lines.at(-1)).toBe(
      '\nDemo finished: release 1 deployed, release 2 failed and so did its rollback.',
    );
  });
});
