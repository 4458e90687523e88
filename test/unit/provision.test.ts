// The provisioning decisions (tools/provision): a part present, installable or not, a server
// stopped; run against a fake PATH (a temporary folder) and a fake package manager that
// "installs" a package by putting its programs into that folder. Nothing on this machine is
// installed, started or probed.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  PART_NAMES,
  cannotInstall,
  ciFailure,
  decide,
  installCommand,
  lookupProgram,
  provision,
  sbinDirs,
  type Deps,
  type Machine,
  type PartName,
  type PartState,
} from '../../tools/provision/index.mjs';
import { missingParts, needsOf } from '../support/requires-environment.mjs';
import { installCommands } from '../support/requires-reporter.mjs';

const ROOT: Machine = { debian: true, apt: '/usr/bin/apt-get', privilege: 'root' };
const SUDO: Machine = { ...ROOT, privilege: 'sudo' };
const NO_ROOT: Machine = { ...ROOT, privilege: 'none' };
const MAC: Machine = { debian: false, privilege: 'root' };
const NO_APT: Machine = { debian: true, privilege: 'root' };

const present = (found: Record<string, string> = {}): PartState => ({ found, missing: [] });
const missing = (...keys: string[]): PartState => ({ found: {}, missing: keys });
const server = (running: boolean, localServer = true): PartState => ({
  found: { pg_ctlcluster: '/usr/bin/pg_ctlcluster' },
  missing: [],
  running,
  localServer,
  address: '127.0.0.1:5432',
});

describe('decide', () => {
  test('present: ready, nothing to do', () => {
    expect(decide('awscli', present({ aws: '/usr/bin/aws' }), ROOT)).toEqual({ action: 'ready' });
    expect(decide('docker', present(), ROOT)).toEqual({ action: 'ready' });
  });

  test('missing on Debian as root or with passwordless sudo: install its Debian packages', () => {
    for (const machine of [ROOT, SUDO]) {
      expect(decide('registry', missing('registry', 'htpasswd'), machine)).toEqual({
        action: 'install',
        packages: ['docker-registry', 'apache2-utils'],
      });
    }
    expect(decide('docker', missing('dockerd', 'docker'), ROOT)).toEqual({
      action: 'install',
      packages: ['docker.io'],
    });
  });

  test('missing and not installable here: skipped, saying why', () => {
    expect(decide('awscli', missing('aws'), NO_ROOT)).toEqual({
      action: 'skip',
      problem: 'missing aws',
      why: 'not root, and sudo asks for a password',
    });
    expect(decide('awscli', missing('aws'), MAC)).toMatchObject({ why: 'not Debian or Ubuntu' });
    expect(decide('awscli', missing('aws'), NO_APT)).toMatchObject({ why: 'no apt-get' });
    expect(cannotInstall(ROOT)).toBeUndefined();
  });

  test('still missing after the install: skipped, not installed again', () => {
    expect(decide('awscli', missing('aws'), ROOT, { afterInstall: true })).toEqual({
      action: 'skip',
      problem: 'missing aws',
      why: 'the install did not provide it',
    });
  });

  test('dockerd needs root: skipped without root, even when sudo could install it', () => {
    for (const state of [present(), missing('dockerd')]) {
      expect(decide('docker', state, SUDO)).toEqual({
        action: 'skip',
        problem: 'dockerd needs root: run as root, or in a container started with --privileged',
      });
    }
  });

  test('a database server: running is ready; installed but stopped is started; missing is installed', () => {
    expect(decide('postgres', server(true), NO_ROOT)).toEqual({ action: 'ready' });
    // Answering is enough, wherever the server runs (no local programs needed).
    expect(decide('postgres', { ...missing('pg_ctlcluster'), running: true }, MAC)).toEqual({
      action: 'ready',
    });
    expect(decide('postgres', server(false), ROOT)).toEqual({ action: 'start' });
    expect(decide('postgres', server(false), SUDO)).toEqual({ action: 'start' });
    expect(decide('postgres', server(false), NO_ROOT)).toMatchObject({
      action: 'skip',
      problem: 'installed but not running at 127.0.0.1:5432',
    });
    expect(
      decide('mariadb', { ...missing('mariadbd'), running: false, localServer: true }, ROOT),
    ).toEqual({ action: 'install', packages: ['mariadb-server'] });
  });

  test('a server of TEST_POSTGRES_URL that does not answer is not started or installed here', () => {
    expect(decide('postgres', server(false, false), ROOT)).toEqual({
      action: 'skip',
      problem: 'nothing answers at 127.0.0.1:5432 (TEST_POSTGRES_URL)',
    });
  });

  test('the npm part: ready when the package resolves, else npm ci', () => {
    expect(decide('s3rver', { ...present(), npmMissing: false }, NO_ROOT)).toEqual({
      action: 'ready',
    });
    expect(decide('s3rver', { ...present(), npmMissing: true }, ROOT)).toMatchObject({
      action: 'skip',
    });
    expect(installCommand('s3rver', ROOT)).toBe('npm ci');
  });

  test('the install command: apt-get on Debian, what provides it elsewhere', () => {
    expect(installCommand('registry', NO_ROOT)).toBe(
      'sudo apt-get install docker-registry apache2-utils',
    );
    expect(installCommand('docker', MAC)).toContain(
      'any Docker Engine provides dockerd and docker',
    );
    expect(installCommand('postgres', MAC)).toContain('TEST_POSTGRES_URL');
  });
});

describe('provision (fake PATH, fake package manager)', () => {
  let bin: string;
  /** What each fake package puts on the fake PATH. */
  const PACKAGES: Record<string, string[]> = {
    'docker.io': ['dockerd', 'docker'],
    'docker-registry': ['docker-registry'],
    'apache2-utils': ['htpasswd'],
    awscli: ['aws'],
  };

  beforeEach(async () => {
    bin = await mkdtemp(path.join(tmpdir(), 'provision-'));
  });
  afterEach(() => rm(bin, { recursive: true, force: true }));

  const put = async (...programs: string[]) => {
    for (const program of programs) {
      await writeFile(path.join(bin, program), '#!/bin/sh\n');
      await chmod(path.join(bin, program), 0o755);
    }
  };

  /** Deps on the fake machine; `calls` records every command run, `lines` every log line. */
  const fake = (
    machine: Machine,
    options: { running?: Set<number>; installWorks?: boolean } = {},
  ) => {
    const calls: string[][] = [];
    const lines: string[] = [];
    const running = options.running ?? new Set([5432, 3306]);
    let clock = 0;
    const deps: Partial<Deps> = {
      env: { PATH: bin },
      machine,
      lookup: (name) => lookupProgram(name, { PATH: bin }, []),
      npmInstalled: () => true,
      probe: async (_host, port) => running.has(port),
      run: async (argv) => {
        calls.push(argv);
        clock += 1500;
        const apt = argv.indexOf(machine.apt ?? 'apt-get');
        if (argv[apt + 1] === 'install' && options.installWorks !== false) {
          for (const pkg of argv.slice(apt + 4)) await put(...(PACKAGES[pkg] ?? []));
        }
        if (argv.some((arg) => arg.endsWith('pg_ctlcluster'))) running.add(5432);
        return { code: 0, output: '' };
      },
      log: (line) => lines.push(line),
      now: () => clock,
      sleep: async () => {
        clock += 500;
      },
      startTimeoutMs: 2000,
    };
    return { deps, calls, lines };
  };

  test('all present: no command runs, one line says what is ready', async () => {
    await put('dockerd', 'docker', 'docker-registry', 'htpasswd', 'aws', 'pg_ctlcluster');
    const { deps, calls, lines } = fake(ROOT);
    const status = await provision(PART_NAMES, deps);
    expect(calls).toEqual([]);
    expect(lines).toEqual([
      'provision: ready: docker, registry, awscli, postgres, mariadb, s3rver (checked in 0.0s)',
    ]);
    expect(Object.values(status.parts).every((part) => part?.ready)).toBe(true);
  });

  test('missing and installable: apt-get update once, then one install of every package; a second run installs nothing', async () => {
    const { deps, calls, lines } = fake(ROOT);
    const names: PartName[] = ['docker', 'registry', 'awscli'];
    const status = await provision(names, deps);
    expect(calls).toEqual([
      ['/usr/bin/apt-get', 'update', '-qq'],
      [
        '/usr/bin/apt-get',
        'install',
        '-y',
        '-qq',
        'docker.io',
        'docker-registry',
        'apache2-utils',
        'awscli',
      ],
    ]);
    expect(lines).toEqual([
      'provision: apt-get update in 1.5s',
      'provision: installed docker.io docker-registry apache2-utils awscli (apt-get install) in 1.5s',
      'provision: ready: docker, registry, awscli (checked in 3.0s)',
    ]);
    expect(status.parts).toEqual({
      docker: { ready: true },
      registry: { ready: true },
      awscli: { ready: true },
    });

    const again = fake(ROOT);
    await provision(names, again.deps);
    expect(again.calls).toEqual([]);
  });

  test('with passwordless sudo the package manager runs through sudo -n', async () => {
    const { deps, calls } = fake(SUDO);
    await provision(['awscli'], deps);
    expect(calls.map((argv) => argv.slice(0, 3))).toEqual([
      ['sudo', '-n', '/usr/bin/apt-get'],
      ['sudo', '-n', '/usr/bin/apt-get'],
    ]);
  });

  test('not installable: nothing runs; one line per part with the install command; CI fails instead', async () => {
    const { deps, calls, lines } = fake(NO_ROOT);
    const status = await provision(['docker', 'registry', 'awscli'], deps);
    expect(calls).toEqual([]);
    expect(lines).toEqual([
      'provision: skipped docker: dockerd needs root: run as root, or in a container started with --privileged; install: sudo apt-get install docker.io',
      'provision: skipped registry: missing docker-registry (or registry), htpasswd; install: sudo apt-get install docker-registry apache2-utils (not done here: not root, and sudo asks for a password)',
      'provision: skipped awscli: missing aws; install: sudo apt-get install awscli (not done here: not root, and sudo asks for a password)',
    ]);
    expect(status.parts.awscli).toEqual({
      ready: false,
      line: 'awscli: missing aws; install: sudo apt-get install awscli (not done here: not root, and sudo asks for a password)',
      install: 'sudo apt-get install awscli',
    });
    expect(ciFailure(status, {})).toBeUndefined();
    expect(ciFailure(status, { CI: 'false' })).toBeUndefined();
    expect(ciFailure(status, { CI: 'true' })).toMatch(
      /^CI=true: a missing part fails CI[^\n]*\ndocker: [^\n]*\nregistry: [^\n]*\nawscli: missing aws/,
    );
  });

  test('a failed install: the parts are skipped saying apt-get failed', async () => {
    const { deps, lines, calls } = fake(ROOT, { installWorks: false });
    const status = await provision(['awscli'], deps);
    expect(calls).toHaveLength(2);
    expect(status.parts.awscli?.ready).toBe(false);
    expect(lines.at(-1)).toBe(
      'provision: skipped awscli: missing aws; install: sudo apt-get install awscli (not done here: the install did not provide it)',
    );
  });

  test('apt-get failing: its exit code and last line in each skipped part', async () => {
    const { deps, lines } = fake(ROOT);
    const run = deps.run!;
    deps.run = async (argv, env) =>
      argv.includes('install')
        ? { code: 100, output: 'E: Unable to locate package awscli' }
        : run(argv, env);
    const status = await provision(['awscli'], deps);
    expect(lines).toContain(
      'provision: apt-get install failed (exit 100): E: Unable to locate package awscli in 0.0s',
    );
    expect(status.parts.awscli?.line).toBe(
      'awscli: missing aws; install: sudo apt-get install awscli (not done here: apt-get install failed (exit 100): E: Unable to locate package awscli)',
    );
  });

  test('PostgreSQL installed but stopped: started with pg_ctlcluster, logged with its duration', async () => {
    await put('pg_ctlcluster');
    const { deps, calls, lines } = fake(ROOT, { running: new Set() });
    const status = await provision(['postgres'], deps);
    expect(status.parts.postgres).toEqual({ ready: true });
    if (calls.length > 0) {
      // Debian's cluster folder exists on this machine: the command CI always used.
      expect(calls).toEqual([
        [
          path.join(bin, 'pg_ctlcluster'),
          '--skip-systemctl-redirect',
          expect.any(String),
          'main',
          'start',
        ],
      ]);
      expect(lines[0]).toMatch(
        /^provision: started PostgreSQL \(pg_ctlcluster --skip-systemctl-redirect \S+ main start\) in 1\.5s$/,
      );
    }
  });

  test('MariaDB that does not come up: skipped, saying it did not start', async () => {
    await put('mariadbd', 'start-stop-daemon');
    const { deps, calls, lines } = fake(ROOT, { running: new Set() });
    const status = await provision(['mariadb'], deps);
    expect(calls).toEqual([
      [
        path.join(bin, 'start-stop-daemon'),
        '--start',
        '--oknodo',
        '--background',
        '--exec',
        path.join(bin, 'mariadbd'),
      ],
    ]);
    expect(lines[0]).toMatch(
      /^provision: MariaDB did not start \(start-stop-daemon .* exit 0\) in \d+\.\ds$/,
    );
    expect(status.parts.mariadb).toMatchObject({
      ready: false,
      line: 'mariadb: installed but it did not start at 127.0.0.1:3306; install: sudo apt-get install mariadb-server',
    });
  });
});

describe('where programs are looked for', () => {
  test('PATH, then the sbin folders; PROVISION_SBIN_DIRS replaces those (empty: PATH only)', () => {
    expect(sbinDirs({})).toEqual(['/usr/local/sbin', '/usr/sbin', '/sbin']);
    expect(sbinDirs({ PROVISION_SBIN_DIRS: '' })).toEqual([]);
    expect(sbinDirs({ PROVISION_SBIN_DIRS: `/a${path.delimiter}/b` })).toEqual(['/a', '/b']);
  });
});

describe('a test file names the parts it needs in its first comment', () => {
  test('@needs in a one-line or a longer first comment; nowhere else', () => {
    expect(needsOf('/** @needs docker registry */\n// build-push-ecr …\nimport x;')).toEqual([
      'docker',
      'registry',
    ]);
    expect(needsOf('/**\n * Protocol fidelity …\n *\n * @needs awscli\n */\nimport x;')).toEqual([
      'awscli',
    ]);
    expect(needsOf('// no header\nconst s = "/** @needs docker */";')).toEqual([]);
  });
});

describe('what a skipped file says', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'needs-'));
    await writeFile(path.join(dir, 'a.test.ts'), '/** @needs docker registry postgres */\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const status = JSON.stringify({
    parts: {
      docker: { ready: false, install: 'sudo apt-get install docker.io' },
      registry: { ready: false, install: 'sudo apt-get install docker-registry apache2-utils' },
      postgres: { ready: true },
    },
  });

  test('the parts a file needs that are not ready; none outside a provisioned run', () => {
    const file = path.join(dir, 'a.test.ts');
    expect(
      missingParts(file, { DEPLOY_ACTIONS_PARTS: status }).map((p: { name: string }) => p.name),
    ).toEqual(['docker', 'registry']);
    expect(missingParts(file, {})).toEqual([]);
    const onlyDocker = JSON.stringify({ parts: { docker: { ready: true } } });
    expect(() => missingParts(file, { DEPLOY_ACTIONS_PARTS: onlyDocker })).toThrow(
      `@needs in ${file}: no part registry, postgres (docker)`,
    );
  });

  test('one install command: the apt-get packages merged, other commands after them', () => {
    expect(
      installCommands([
        { install: 'sudo apt-get install docker.io' },
        { install: 'sudo apt-get install docker-registry apache2-utils' },
        { install: 'npm ci' },
      ]),
    ).toBe('sudo apt-get install docker.io docker-registry apache2-utils; npm ci');
  });
});
