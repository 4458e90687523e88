// @ts-check
/**
 * Provisioning: for each part asked for (tools/provision/parts.mjs), find it; when it is
 * missing and this machine can install it (Debian or Ubuntu with apt-get, as root or with
 * passwordless sudo), install it; start a database server that is installed but stopped; and
 * say per part whether it is ready or what installs it. One log line per action, with its
 * duration. The decisions (`decide`) are pure; everything that touches the machine comes in
 * through `Deps`, so the unit tests run them against a fake PATH and package manager.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  PARTS,
  PROGRAMS,
  debianPackages,
  findPrograms,
  lookupProgram,
  npmPackageInstalled,
  sbinDirs,
} from './parts.mjs';

/** @typedef {import('./parts.mjs').PartName} PartName */
/** @typedef {import('./parts.mjs').Part} Part */
/** @typedef {import('./parts.mjs').ProgramLookup} ProgramLookup */

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The environment variable that carries the result to jest's workers and reporters. */
export const STATUS_ENV = 'DEPLOY_ACTIONS_PARTS';

/**
 * What this machine allows: a Debian-like system, its apt-get, and who we run as.
 * @typedef {{ debian: boolean, apt?: string, privilege: 'root' | 'sudo' | 'none' }} Machine
 */

/**
 * What was found of a part. `running`: a server answered at its URL; `localServer`: that URL
 * is the default local one (so starting it here makes sense).
 * @typedef {{
 *   found: Record<string, string>,
 *   missing: string[],
 *   running?: boolean,
 *   localServer?: boolean,
 *   address?: string,
 *   npmMissing?: boolean,
 * }} PartState
 */

/**
 * @typedef {{ action: 'ready' } | { action: 'install', packages: string[] } | { action: 'start' }
 *   | { action: 'skip', problem: string, why?: string }} Decision
 */

/**
 * Why this machine cannot install packages, or undefined when it can.
 * @param {Machine} machine
 */
export function cannotInstall(machine) {
  if (!machine.debian) return 'not Debian or Ubuntu';
  if (!machine.apt) return 'no apt-get';
  if (machine.privilege === 'none') return 'not root, and sudo asks for a password';
  return undefined;
}

/**
 * What to do about one part. `afterInstall`: the install already ran, so a part still missing
 * is not installed again.
 * @param {PartName} name
 * @param {PartState} state
 * @param {Machine} machine
 * @param {{ afterInstall?: boolean }} [options]
 * @returns {Decision}
 */
export function decide(name, state, machine, options = {}) {
  /** @type {Part} */
  const part = PARTS[name];
  if (part.npmPackage) {
    return state.npmMissing
      ? { action: 'skip', problem: `the npm package ${part.npmPackage} is not installed` }
      : { action: 'ready' };
  }
  // A server that answers is ready, wherever its programs are.
  if (part.server && state.running) return { action: 'ready' };
  if (part.server && !state.localServer) {
    return {
      action: 'skip',
      problem: `nothing answers at ${state.address} (${part.server.envName})`,
    };
  }
  if (part.needsRoot && machine.privilege !== 'root') {
    return { action: 'skip', problem: part.needsRoot };
  }
  if (state.missing.length > 0) {
    const problem = `missing ${state.missing.map((key) => PROGRAMS[key]?.shown ?? key).join(', ')}`;
    if (options.afterInstall)
      return { action: 'skip', problem, why: 'the install did not provide it' };
    const why = cannotInstall(machine);
    return why
      ? { action: 'skip', problem, why }
      : { action: 'install', packages: debianPackages(state.missing) };
  }
  if (part.server) {
    return machine.privilege === 'none'
      ? {
          action: 'skip',
          problem: `installed but not running at ${state.address}`,
          why: 'not root, and sudo asks for a password',
        }
      : { action: 'start' };
  }
  return { action: 'ready' };
}

/**
 * The command that installs a part on this machine (or what does it elsewhere).
 * @param {PartName} name
 * @param {Machine} machine
 */
export function installCommand(name, machine) {
  /** @type {Part} */
  const part = PARTS[name];
  if (part.npmPackage) return 'npm ci';
  if (machine.debian) return `sudo apt-get install ${debianPackages(part.programs).join(' ')}`;
  const elsewhere = part.programs.map((key) => PROGRAMS[key]?.elsewhere ?? key);
  return [...new Set(elsewhere)].join('; ');
}

/**
 * The one line a skipped part gets: the part, what is wrong, the command that installs it.
 * @param {PartName} name
 * @param {Extract<Decision, { action: 'skip' }>} decision
 * @param {Machine} machine
 */
export function skipLine(name, decision, machine) {
  const why = decision.why ? ` (not done here: ${decision.why})` : '';
  return `${name}: ${decision.problem}; install: ${installCommand(name, machine)}${why}`;
}

/**
 * Per part: ready, or the line saying why not and what installs it.
 * @typedef {{ ready: boolean, line?: string, install?: string }} PartStatus
 * @typedef {{ parts: Partial<Record<PartName, PartStatus>> }} Status
 */

/**
 * Everything provisioning does to the machine, injectable.
 * @typedef {{
 *   env: NodeJS.ProcessEnv,
 *   root: string,
 *   machine: Machine,
 *   lookup: ProgramLookup,
 *   npmInstalled: (name: string) => boolean,
 *   probe: (host: string, port: number) => Promise<boolean>,
 *   run: (argv: string[], env?: NodeJS.ProcessEnv) => Promise<{ code: number, output: string }>,
 *   log: (line: string) => void,
 *   now: () => number,
 *   sleep: (ms: number) => Promise<void>,
 *   startTimeoutMs: number,
 * }} Deps
 */

/**
 * Finds, installs and starts the parts asked for; returns their status.
 * @param {readonly PartName[]} names
 * @param {Partial<Deps>} [overrides]
 * @returns {Promise<Status>}
 */
export async function provision(names, overrides = {}) {
  const env = overrides.env ?? process.env;
  // The machine's facts only when not given: finding them may ask sudo.
  const machine = overrides.machine ?? thisMachine(env);
  /** @type {Deps} */
  const deps = { ...defaultDeps(env), machine, ...overrides };
  const { log, now } = deps;
  const began = now();
  const timed = async (/** @type {() => Promise<string>} */ action) => {
    const start = now();
    const line = await action();
    log(`provision: ${line} in ${seconds(now() - start)}`);
  };

  let states = await detectAll(names, deps);
  /** @type {Map<PartName, Decision>} */
  let decisions = new Map(
    names.map((name) => [name, decide(name, /** @type {PartState} */ (states.get(name)), machine)]),
  );

  const packages = [
    ...new Set([...decisions.values()].flatMap((d) => (d.action === 'install' ? d.packages : []))),
  ];
  if (packages.length > 0) {
    const sudo = machine.privilege === 'root' ? [] : ['sudo', '-n'];
    const aptEnv = { ...deps.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = /** @type {string} */ (machine.apt);
    let failed = '';
    await timed(async () => {
      const { code, output } = await deps.run([...sudo, apt, 'update', '-qq'], aptEnv);
      if (code !== 0) failed = `apt-get update failed (exit ${code}): ${lastLine(output)}`;
      return code === 0 ? 'apt-get update' : failed;
    });
    if (!failed) {
      await timed(async () => {
        const { code, output } = await deps.run(
          [...sudo, apt, 'install', '-y', '-qq', ...packages],
          aptEnv,
        );
        if (code !== 0) failed = `apt-get install failed (exit ${code}): ${lastLine(output)}`;
        return code === 0 ? `installed ${packages.join(' ')} (apt-get install)` : failed;
      });
    }
    states = await detectAll(names, deps);
    decisions = new Map(
      names.map((name) => [
        name,
        decide(name, /** @type {PartState} */ (states.get(name)), machine, { afterInstall: true }),
      ]),
    );
    if (failed) {
      for (const decision of decisions.values()) {
        if (decision.action === 'skip' && decision.why) decision.why = failed;
      }
    }
  }

  /** @type {Status} */
  const status = { parts: {} };
  for (const name of names) {
    const decision = /** @type {Decision} */ (decisions.get(name));
    if (decision.action === 'start') {
      const started = await startServer(
        name,
        /** @type {PartState} */ (states.get(name)),
        deps,
        timed,
      );
      const problem = `installed but it did not start at ${states.get(name)?.address}`;
      status.parts[name] = started
        ? { ready: true }
        : {
            ready: false,
            line: skipLine(name, { action: 'skip', problem }, machine),
            install: installCommand(name, machine),
          };
    } else if (decision.action === 'skip') {
      status.parts[name] = {
        ready: false,
        line: skipLine(name, decision, machine),
        install: installCommand(name, machine),
      };
    } else {
      status.parts[name] = { ready: true };
    }
  }

  const ready = names.filter((name) => status.parts[name]?.ready);
  if (ready.length > 0)
    log(`provision: ready: ${ready.join(', ')} (checked in ${seconds(now() - began)})`);
  for (const name of names) {
    const line = status.parts[name]?.line;
    if (line) log(`provision: skipped ${line}`);
  }
  return status;
}

/**
 * Runs the part's start command (with sudo when not root) and waits for its port.
 * @param {PartName} name
 * @param {PartState} state
 * @param {Deps} deps
 * @param {(action: () => Promise<string>) => Promise<void>} timed
 */
async function startServer(name, state, deps, timed) {
  /** @type {Part} */
  const part = PARTS[name];
  const server = /** @type {import('./parts.mjs').Server} */ (part.server);
  const command = server.startCommand(state.found, deps.lookup);
  if (!command) {
    deps.log(`provision: ${part.what} is installed but no start command fits this machine`);
    return false;
  }
  const sudo = deps.machine.privilege === 'root' ? [] : ['sudo', '-n'];
  const { host, port } = serverAddress(server, deps.env);
  let ok = false;
  await timed(async () => {
    const { code, output } = await deps.run([...sudo, ...command], deps.env);
    const deadline = deps.now() + deps.startTimeoutMs;
    while (!(ok = await deps.probe(host, port)) && deps.now() < deadline) await deps.sleep(500);
    const shown = command.map((arg) => path.basename(arg)).join(' ');
    if (ok) return `started ${part.what} (${shown})`;
    return `${part.what} did not start (${shown}: exit ${code}${output ? `, ${lastLine(output)}` : ''})`;
  });
  return ok;
}

/**
 * @param {readonly PartName[]} names
 * @param {Deps} deps
 */
async function detectAll(names, deps) {
  const entries = await Promise.all(
    names.map(async (name) => /** @type {const} */ ([name, await detect(name, deps)])),
  );
  return new Map(entries);
}

/**
 * @param {PartName} name
 * @param {Deps} deps
 * @returns {Promise<PartState>}
 */
export async function detect(name, deps) {
  /** @type {Part} */
  const part = PARTS[name];
  const { found, missing } = findPrograms(part.programs, deps.lookup);
  /** @type {PartState} */
  const state = { found, missing };
  if (part.npmPackage) state.npmMissing = !deps.npmInstalled(part.npmPackage);
  if (part.server) {
    const { host, port, local } = serverAddress(part.server, deps.env);
    state.address = `${host}:${port}`;
    state.localServer = local;
    state.running = await deps.probe(host, port);
  }
  return state;
}

/**
 * Where the tests reach a server: its URL's host and port, and whether it is the default one.
 * @param {import('./parts.mjs').Server} server
 * @param {NodeJS.ProcessEnv} env
 */
export function serverAddress(server, env) {
  const url = new URL(env[server.envName] || server.defaultUrl);
  const port = Number(url.port) || (url.protocol.startsWith('mysql') ? 3306 : 5432);
  return { host: url.hostname || '127.0.0.1', port, local: !env[server.envName] };
}

/**
 * The facts of the machine this runs on.
 * @param {NodeJS.ProcessEnv} env
 * @returns {Machine}
 */
export function thisMachine(env = process.env) {
  let release = '';
  try {
    release = readFileSync('/etc/os-release', 'utf8');
  } catch {
    // not Linux, or no os-release
  }
  const debian =
    process.platform === 'linux' &&
    (existsSync('/etc/debian_version') || /^ID(_LIKE)?=.*\b(debian|ubuntu)\b/m.test(release));
  const apt = lookupProgram('apt-get', env, sbinDirs(env));
  const uid = process.getuid?.();
  /** @type {Machine['privilege']} */
  let privilege = 'none';
  if (uid === 0) privilege = 'root';
  else if (
    lookupProgram('sudo', env) &&
    spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', env }).status === 0
  )
    privilege = 'sudo';
  return { debian, ...(apt ? { apt } : {}), privilege };
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {Omit<Deps, 'machine'>}
 */
function defaultDeps(env) {
  return {
    env,
    root: REPO_ROOT,
    lookup: (name) => lookupProgram(name, env),
    npmInstalled: (name) => npmPackageInstalled(name, REPO_ROOT),
    probe: tcpAnswers,
    run: runCommand,
    log: (line) => process.stderr.write(`${line}\n`),
    now: () => Date.now(),
    sleep: (ms) => delay(ms),
    startTimeoutMs: 30_000,
  };
}

/**
 * @param {string} host
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function tcpAnswers(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (/** @type {boolean} */ answered) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Promise<{ code: number, output: string }>}
 */
function runCommand(argv, env = process.env) {
  return new Promise((resolve) => {
    const [command, ...args] = argv;
    const child = spawn(/** @type {string} */ (command), args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', (error) => resolve({ code: 127, output: error.message }));
    child.once('close', (code) => resolve({ code: code ?? 1, output: output.trim() }));
  });
}

/** @param {number} ms */
function seconds(ms) {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** @param {string} output */
function lastLine(output) {
  return output.trim().split('\n').at(-1) ?? '';
}

/**
 * The status provisioning passed on (STATUS_ENV), or undefined outside a provisioned run.
 * @param {NodeJS.ProcessEnv} env
 * @returns {Status | undefined}
 */
export function readStatus(env = process.env) {
  const raw = env[STATUS_ENV];
  if (!raw) return undefined;
  try {
    return /** @type {Status} */ (JSON.parse(raw));
  } catch {
    return undefined;
  }
}

/**
 * Under CI nothing is skipped: the message that fails the run when a part is not ready.
 * @param {Status} status
 * @param {NodeJS.ProcessEnv} env
 */
export function ciFailure(status, env = process.env) {
  if (!isCi(env)) return undefined;
  const lines = Object.values(status.parts).flatMap((part) => (part?.line ? [part.line] : []));
  return lines.length > 0
    ? `CI=${env.CI}: a missing part fails CI (nothing is skipped there):\n${lines.join('\n')}`
    : undefined;
}

/** @param {NodeJS.ProcessEnv} env */
export function isCi(env = process.env) {
  return Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0';
}
