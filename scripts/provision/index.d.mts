// The types of index.mjs for the TypeScript that imports it (test/support, the unit tests).
// The JavaScript itself is checked against its JSDoc by scripts/provision/tsconfig.json;
// keep these in step with it.

export type PartName = 'docker' | 'registry' | 'awscli' | 'postgres' | 'mariadb' | 's3rver';
export type ProgramLookup = (name: string) => string | undefined;

export interface Program {
  names: string[];
  shown: string;
  debian: string;
  elsewhere: string;
}
export interface Server {
  envName: string;
  defaultUrl: string;
  startCommand: (found: Record<string, string>, lookup: ProgramLookup) => string[] | undefined;
}
export interface Part {
  what: string;
  programs: readonly string[];
  needsRoot?: string;
  server?: Server;
  npmPackage?: string;
}
export interface Machine {
  debian: boolean;
  apt?: string;
  privilege: 'root' | 'sudo' | 'none';
}
export interface PartState {
  found: Record<string, string>;
  missing: string[];
  running?: boolean;
  localServer?: boolean;
  address?: string;
  npmMissing?: boolean;
}
export type Decision =
  | { action: 'ready' }
  | { action: 'install'; packages: string[] }
  | { action: 'start' }
  | { action: 'skip'; problem: string; why?: string };
export interface PartStatus {
  ready: boolean;
  line?: string;
  install?: string;
}
export interface Status {
  parts: Partial<Record<PartName, PartStatus>>;
}
export interface Deps {
  env: NodeJS.ProcessEnv;
  root: string;
  machine: Machine;
  lookup: ProgramLookup;
  npmInstalled: (name: string) => boolean;
  probe: (host: string, port: number) => Promise<boolean>;
  run: (argv: string[], env?: NodeJS.ProcessEnv) => Promise<{ code: number; output: string }>;
  log: (line: string) => void;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  startTimeoutMs: number;
}

export const PARTS: Record<PartName, Part>;
export const PART_NAMES: PartName[];
export const PROGRAMS: Record<string, Program>;
export const SBIN_DIRS: string[];
export const STATUS_ENV: string;
export function sbinDirs(env?: NodeJS.ProcessEnv): string[];
export function lookupProgram(
  name: string,
  env?: NodeJS.ProcessEnv,
  after?: readonly string[],
): string | undefined;
export function findPrograms(
  keys: readonly string[],
  lookup?: ProgramLookup,
): { found: Record<string, string>; missing: string[] };
export function programsHint(missing: readonly string[], env?: NodeJS.ProcessEnv): string;
export function isPartName(name: string): name is PartName;
export function cannotInstall(machine: Machine): string | undefined;
export function decide(
  name: PartName,
  state: PartState,
  machine: Machine,
  options?: { afterInstall?: boolean },
): Decision;
export function installCommand(name: PartName, machine: Machine): string;
export function skipLine(
  name: PartName,
  decision: Extract<Decision, { action: 'skip' }>,
  machine: Machine,
): string;
export function provision(names: readonly PartName[], overrides?: Partial<Deps>): Promise<Status>;
export function readStatus(env?: NodeJS.ProcessEnv): Status | undefined;
export function ciFailure(status: Status, env?: NodeJS.ProcessEnv): string | undefined;
