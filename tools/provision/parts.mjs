// @ts-check
/**
 * The system parts the tests, the demo and the benchmarks use, what each is made of and how to
 * get it: the programs (found on PATH, then in the sbin folders where daemons live), the Debian
 * packages that install them, what installs them elsewhere, and for the database servers how to
 * tell they run and how to start them. Plain JavaScript with no dependencies: it runs on a fresh
 * clone, before `npm ci`.
 */
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Where daemons are installed, often off a non-root user's PATH (Debian's dockerd: /usr/sbin). */
export const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/**
 * The folders searched after PATH: SBIN_DIRS, or PROVISION_SBIN_DIRS when set (folders joined
 * like PATH; empty searches PATH only). CI sets it empty to hide Debian's /usr/sbin/dockerd.
 * @param {NodeJS.ProcessEnv} env
 */
export function sbinDirs(env = process.env) {
  const override = env.PROVISION_SBIN_DIRS;
  return override === undefined ? SBIN_DIRS : override.split(path.delimiter).filter(Boolean);
}

/** @typedef {(name: string) => string | undefined} ProgramLookup */

/**
 * This machine's lookup: an executable file in a PATH folder, else in `after`.
 * @param {string} name
 * @param {NodeJS.ProcessEnv} env
 * @param {readonly string[]} after
 * @returns {string | undefined}
 */
export function lookupProgram(name, env = process.env, after = sbinDirs(env)) {
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), ...after];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * A program a part runs: the names it goes by (the first found wins), how the hints name it,
 * its Debian package and what provides it elsewhere.
 * @typedef {{ names: string[], shown: string, debian: string, elsewhere: string }} Program
 */

const DOCKER_ENGINE =
  'any Docker Engine provides dockerd and docker (docker-ce from download.docker.com, moby-engine, …)';

/** @type {Record<string, Program>} */
export const PROGRAMS = {
  dockerd: { names: ['dockerd'], shown: 'dockerd', debian: 'docker.io', elsewhere: DOCKER_ENGINE },
  docker: { names: ['docker'], shown: 'docker', debian: 'docker.io', elsewhere: DOCKER_ENGINE },
  // The distribution registry: Debian names it docker-registry, its upstream builds registry.
  registry: {
    names: ['docker-registry', 'registry'],
    shown: 'docker-registry (or registry)',
    debian: 'docker-registry',
    elsewhere:
      'the registry is the `registry` binary of CNCF Distribution (https://github.com/distribution/distribution/releases), put on PATH as registry or docker-registry',
  },
  htpasswd: {
    names: ['htpasswd'],
    shown: 'htpasswd',
    debian: 'apache2-utils',
    elsewhere: 'htpasswd comes with Apache httpd (httpd-tools on Fedora and RHEL)',
  },
  aws: {
    names: ['aws'],
    shown: 'aws',
    debian: 'awscli',
    elsewhere:
      'the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)',
  },
  // Debian's server binaries live under /usr/lib/postgresql/<version>/bin; its wrapper is on PATH.
  pg_ctlcluster: {
    names: ['pg_ctlcluster'],
    shown: 'PostgreSQL (pg_ctlcluster)',
    debian: 'postgresql',
    elsewhere:
      'install PostgreSQL and start it on 127.0.0.1:5432, or set TEST_POSTGRES_URL to a server that lets its user create databases',
  },
  mariadbd: {
    names: ['mariadbd'],
    shown: 'MariaDB (mariadbd)',
    debian: 'mariadb-server',
    elsewhere:
      'install MariaDB or MySQL and start it on 127.0.0.1:3306, or set TEST_MYSQL_URL to a server that lets its user create databases',
  },
};

/**
 * The programs found through `lookup` (by their key in PROGRAMS), and which are missing.
 * @param {readonly string[]} keys
 * @param {ProgramLookup} lookup
 */
export function findPrograms(keys, lookup = (name) => lookupProgram(name)) {
  /** @type {Record<string, string>} */
  const found = {};
  /** @type {string[]} */
  const missing = [];
  for (const key of keys) {
    const where = PROGRAMS[key]?.names.map((name) => lookup(name)).find((p) => p !== undefined);
    if (where) found[key] = where;
    else missing.push(key);
  }
  return { found, missing };
}

/** @param {string[]} items */
const unique = (items) => [...new Set(items)];

/**
 * The Debian packages that install these programs, once each.
 * @param {readonly string[]} keys
 */
export function debianPackages(keys) {
  return unique(keys.map((key) => /** @type {Program} */ (PROGRAMS[key]).debian));
}

/**
 * What to install for the missing programs: Debian's packages, then what does it elsewhere.
 * @param {readonly string[]} missing keys of PROGRAMS
 * @param {NodeJS.ProcessEnv} env
 */
export function programsHint(missing, env = process.env) {
  const infos = missing.map((key) => /** @type {Program} */ (PROGRAMS[key]));
  return [
    `missing ${infos.map((info) => info.shown).join(', ')} (looked on PATH and in ${sbinDirs(env).join(', ') || 'no other folder'}).`,
    `On Debian or Ubuntu: sudo apt-get install ${debianPackages(missing).join(' ')}.`,
    `Elsewhere: ${unique(infos.map((info) => info.elsewhere)).join('; ')}.`,
  ].join(' ');
}

/**
 * A database server the tests create their databases on. `url` is where they connect (the
 * same defaults as test/support/databases.ts); only the default local server is started here.
 * @typedef {{
 *   envName: string,
 *   defaultUrl: string,
 *   startCommand: (found: Record<string, string>, lookup: ProgramLookup) => string[] | undefined,
 * }} Server
 */

/**
 * @typedef {{
 *   what: string,
 *   programs: readonly string[],
 *   needsRoot?: string,
 *   server?: Server,
 *   npmPackage?: string,
 * }} Part
 */

/** @typedef {'docker' | 'registry' | 'awscli' | 'postgres' | 'mariadb' | 's3rver'} PartName */

/**
 * The parts, in the order they are checked and reported.
 * @type {Record<PartName, Part>}
 */
export const PARTS = {
  docker: {
    what: 'Docker daemon',
    programs: ['dockerd', 'docker'],
    needsRoot: 'dockerd needs root: run as root, or in a container started with --privileged',
  },
  registry: { what: 'Docker registry', programs: ['registry', 'htpasswd'] },
  awscli: { what: 'AWS CLI', programs: ['aws'] },
  postgres: {
    what: 'PostgreSQL',
    programs: ['pg_ctlcluster'],
    server: {
      envName: 'TEST_POSTGRES_URL',
      defaultUrl: 'postgres://postgres@127.0.0.1:5432/test',
      // The first cluster Debian created (/etc/postgresql/<version>/main), as CI always did.
      startCommand: (found) => {
        const version = listDir('/etc/postgresql').sort()[0];
        return version && found.pg_ctlcluster
          ? [found.pg_ctlcluster, '--skip-systemctl-redirect', version, 'main', 'start']
          : undefined;
      },
    },
  },
  mariadb: {
    what: 'MariaDB',
    programs: ['mariadbd'],
    server: {
      envName: 'TEST_MYSQL_URL',
      defaultUrl: 'mysql://root@127.0.0.1:3306/test',
      // No init system in CI's containers: Debian's start-stop-daemon runs it in the background.
      startCommand: (found, lookup) => {
        const ssd = lookup('start-stop-daemon');
        return ssd && found.mariadbd
          ? [ssd, '--start', '--oknodo', '--background', '--exec', found.mariadbd]
          : undefined;
      },
    },
  },
  // An npm devDependency: there after `npm ci`, named here so a half-installed clone says so.
  s3rver: { what: 's3rver (S3)', programs: [], npmPackage: 's3rver' },
};

/** @type {PartName[]} */
export const PART_NAMES = /** @type {PartName[]} */ (Object.keys(PARTS));

/**
 * @param {string} name
 * @returns {name is PartName}
 */
export function isPartName(name) {
  return Object.hasOwn(PARTS, name);
}

/**
 * Whether an npm package resolves from the repository root.
 * @param {string} name
 * @param {string} root
 */
export function npmPackageInstalled(name, root) {
  try {
    createRequire(path.join(root, 'package.json')).resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/** @param {string} dir */
function listDir(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
