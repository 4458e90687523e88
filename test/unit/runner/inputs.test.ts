// Inputs and the step's environment as tools/runner builds them for the CLI, the demo and the
// tests alike, where the CLI and the test harness used to differ.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  REPO_ROOT,
  ROOT_ACTION,
  actionPaths,
  inputEnv,
  listActions,
  loadAction,
  runEnv,
  runnerFileEnv,
  runnerFiles,
  type ActionInfo,
} from '../../../tools/runner/index.mjs';

const ACTION: ActionInfo = {
  name: 'example',
  title: 'example',
  description: 'An example.',
  bundle: '/nowhere/dist/index.js',
  built: false,
  outputs: [],
  inputs: [
    { name: 'token', description: 'Token.', required: false, default: '${{ github.token }}' },
    { name: 'ref', description: 'Ref.', required: false, default: 'refs/${{ github.ref }}' },
    { name: 'retries', description: 'Retries.', required: false, default: '3' },
  ],
};

describe('inputEnv', () => {
  test('a ${{ }} default is not passed literally: the input stays unset unless given', () => {
    expect(inputEnv(ACTION, {})).toEqual({ INPUT_RETRIES: '3' });
    expect(inputEnv(ACTION, { token: 'ghs_x' })).toEqual({
      INPUT_TOKEN: 'ghs_x',
      INPUT_RETRIES: '3',
    });
  });

  test('an input the action does not declare is an error naming it and the action', () => {
    expect(() => inputEnv(ACTION, { retry: '1' })).toThrow(
      "Input 'retry' is not declared in example's action.yml",
    );
  });
});

describe('where actions live', () => {
  test("the root action's action.yml is the repository's own; its bundle is in actions/deploy", () => {
    expect(actionPaths(ROOT_ACTION)).toEqual({
      metadata: path.join(REPO_ROOT, 'action.yml'),
      bundle: path.join(REPO_ROOT, 'actions/deploy/dist/index.js'),
    });
    expect(actionPaths('smoke-test')).toEqual({
      metadata: path.join(REPO_ROOT, 'actions/smoke-test/action.yml'),
      bundle: path.join(REPO_ROOT, 'actions/smoke-test/dist/index.js'),
    });
  });

  test('every action is loaded with the inputs its action.yml declares, defaults as strings', () => {
    const actions = listActions();
    expect(actions[0]?.name).toBe(ROOT_ACTION);
    for (const action of actions) {
      const declared = parse(readFileSync(actionPaths(action.name).metadata, 'utf8')) as {
        inputs?: Record<string, { default?: unknown }>;
      };
      expect(action.inputs.map((input) => input.name)).toEqual(Object.keys(declared.inputs ?? {}));
      for (const input of action.inputs) {
        const written = declared.inputs?.[input.name]?.default;
        expect(input.default).toBe(written === undefined ? undefined : String(written));
      }
    }
    expect(loadAction('smoke-test')?.inputs.length).toBeGreaterThan(0);
  });
});

describe('runEnv', () => {
  test('GITHUB_WORKSPACE is the working directory unless a workspace is given', () => {
    const base = { GITHUB_SHA: 'a'.repeat(40), GITHUB_REPOSITORY: 'org/app' };
    const values = {};
    expect(runEnv({ action: ACTION, values, temp: '/t', cwd: '/w', base }).GITHUB_WORKSPACE).toBe(
      '/w',
    );
    expect(
      runEnv({ action: ACTION, values, temp: '/t', cwd: '/w/sub', workspace: '/w', base })
        .GITHUB_WORKSPACE,
    ).toBe('/w');
  });

  test("the runner's files are the run's own, and extra variables come last", () => {
    const env = runEnv({
      action: ACTION,
      values: {},
      temp: '/t',
      cwd: '/w',
      base: {
        GITHUB_SHA: 'a'.repeat(40),
        GITHUB_ENV: '/job/env',
        GITHUB_PATH: '/job/path',
        INPUT_RETRIES: '9',
      },
      extra: { INPUT_RETRIES: '5', AWS_REGION: 'eu-west-1' },
    });
    expect(env).toMatchObject({ ...runnerFileEnv(runnerFiles('/t')), RUNNER_TEMP: '/t' });
    expect(env).toMatchObject({ INPUT_RETRIES: '5', AWS_REGION: 'eu-west-1' });
    expect(env.GITHUB_ENV).toBe('/t/github_env');
    expect(env.GITHUB_REPOSITORY).toBe('local/deploy-actions-cli');
  });
});
