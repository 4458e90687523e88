/**
 * The environment a third-party program (a migration tool, docker) starts
 * with: an allow-list of the runner's variables, never the runner's tokens
 * (ACTIONS_RUNTIME_TOKEN, the OIDC request pair, cache and results URLs) or
 * the step's AWS credentials unless the user names them exactly.
 */

/** What any program may need to run on a runner: paths, locale, temp dirs, proxies, CA files. */
const BASE_NAMES = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'TMPDIR',
  'TMP',
  'TEMP',
  'CI',
  'GITHUB_ACTIONS',
  'GITHUB_WORKSPACE',
  'RUNNER_OS',
  'RUNNER_ARCH',
  'RUNNER_TEMP',
  'RUNNER_TOOL_CACHE',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
  'JAVA_HOME',
];
const BASE_PREFIXES = ['LC_'];

/** Never passed on by a pattern, only when named exactly. */
const SENSITIVE =
  /^(ACTIONS_|AWS_ACCESS_KEY_ID$|AWS_SECRET_ACCESS_KEY$|AWS_SESSION_TOKEN$|AWS_SECURITY_TOKEN$|AWS_WEB_IDENTITY_TOKEN_FILE$|AWS_CONTAINER_|GITHUB_TOKEN$|INPUT_)/;

export interface ChildEnvOptions {
  /** Names, or NAME_* prefixes, the user allows (e.g. the command-env input). */
  allow?: readonly string[];
  /** Allowed for this kind of program (docker's DOCKER_* and BUILDX_*). */
  programNames?: readonly string[];
  programPrefixes?: readonly string[];
  /** Set on top (the database URL). */
  set?: Readonly<Record<string, string>>;
}

export function childEnv(env: NodeJS.ProcessEnv, options: ChildEnvOptions = {}): NodeJS.ProcessEnv {
  const exact = new Set([...BASE_NAMES, ...(options.programNames ?? [])]);
  const prefixes = [...BASE_PREFIXES, ...(options.programPrefixes ?? [])];
  for (const entry of options.allow ?? []) {
    if (entry.endsWith('*')) prefixes.push(entry.slice(0, -1));
    else exact.add(entry);
  }
  const userExact = new Set((options.allow ?? []).filter((entry) => !entry.endsWith('*')));
  const result: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const named = exact.has(name);
    const matched = prefixes.some((prefix) => name.startsWith(prefix));
    if (SENSITIVE.test(name) ? userExact.has(name) : named || matched) result[name] = value;
  }
  return { ...result, ...options.set };
}

/** NAME or NAME_* entries of an environment allow-list input. */
export const ENV_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*\*?$/;
