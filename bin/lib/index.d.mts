// Types of the CLI's modules (plain JavaScript, so the command runs without a build step).

export interface ActionInput {
  name: string;
  description: string;
  required: boolean;
  default: string | undefined;
}

export interface ActionOutput {
  name: string;
  description: string;
}

export interface ActionInfo {
  name: string;
  title: string;
  description: string;
  inputs: ActionInput[];
  outputs: ActionOutput[];
  /** dist/index.js of the action. */
  bundle: string;
  built: boolean;
}

export const REPO_ROOT: string;
export function actionPaths(name: string, root?: string): { metadata: string; bundle: string };
export function listActions(root?: string): ActionInfo[];
export function loadAction(name: string, root?: string): ActionInfo | undefined;
export function wrap(text: string, width: number, indent?: string): string[];
export function mainHelp(actions: ActionInfo[], width?: number): string;
export function actionHelp(action: ActionInfo, width?: number): string;

export class UsageError extends Error {}
export interface CommandLine {
  help: boolean;
  version: boolean;
  action: string | undefined;
  inputs: Array<[string, string]>;
}
export function parseCommandLine(argv: readonly string[]): CommandLine;
export function closest(name: string, candidates: readonly string[]): string | undefined;
export function resolveInputs(
  action: Pick<ActionInfo, 'name' | 'inputs'>,
  given: ReadonlyArray<readonly [string, string]>,
): Record<string, string>;
export function inputVariable(name: string): string;
export function inputEnv(
  action: Pick<ActionInfo, 'inputs'>,
  values: Record<string, string>,
): Record<string, string>;

export interface CliIo {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  root?: string;
  cwd?: string;
}
export function main(argv: readonly string[], io?: CliIo): Promise<number>;

export function unescapeData(text: string): string;
export function unescapeProperty(text: string): string;
export function parseCommand(
  line: string,
): { command: string; properties: Record<string, string>; data: string } | undefined;
export class Masker {
  add(secret: string): void;
  apply(text: string): string;
  readonly size: number;
}
export interface CliAnnotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  properties: Record<string, string>;
}
export class LogTranslator {
  constructor(options: { write: (text: string) => void; masker?: Masker; debug?: boolean });
  readonly annotations: CliAnnotation[];
  push(chunk: string): void;
  end(): void;
}
export function parseFileCommands(text: string): Record<string, string>;

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  outputs: Record<string, string>;
  /** The summary as written (masked). */
  summary: string;
  summaryText: string;
  annotations: CliAnnotation[];
}
export interface RunOptions {
  action: ActionInfo;
  values?: Record<string, string>;
  cwd?: string;
  /** The environment the run starts from (process.env by default). */
  env?: NodeJS.ProcessEnv;
  /** Added last, e.g. endpoints or DOCKER_HOST. */
  extraEnv?: Record<string, string>;
  write?: (text: string) => void;
  writeError?: (text: string) => void;
  debug?: boolean;
  signal?: AbortSignal;
  node?: string;
}
export function nodeBinary(root?: string, env?: NodeJS.ProcessEnv): string;
export function runEnv(options: {
  action: Pick<ActionInfo, 'inputs'>;
  values: Record<string, string>;
  temp: string;
  cwd: string;
  base?: NodeJS.ProcessEnv;
  extra?: Record<string, string>;
}): Record<string, string>;
export function runAction(options: RunOptions): Promise<RunResult>;
export function formatResult(result: Pick<RunResult, 'outputs' | 'summaryText'>): string;

export function decodeEntities(text: string): string;
export function displayWidth(text: string): number;
export function renderTable(rows: string[][], indent?: string): string[];
export function summaryToText(summary: string): string;
