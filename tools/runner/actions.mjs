// @ts-check
// Which actions this checkout holds and what their action.yml declares. The one place that
// knows the root action (`deploy`) keeps its action.yml at the repository root and its bundle in
// actions/deploy/dist, while every other action keeps both in actions/<name>/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The action whose action.yml is the repository's own (`uses: owner/deploy-actions@v1`). */
export const ROOT_ACTION = 'deploy';

/**
 * @typedef {object} ActionInput
 * @property {string} name
 * @property {string} description
 * @property {boolean} required
 * @property {string | undefined} default The action.yml default as written (a string).
 */

/**
 * @typedef {object} ActionOutput
 * @property {string} name
 * @property {string} description
 */

/**
 * @typedef {object} ActionInfo
 * @property {string} name
 * @property {string} title
 * @property {string} description
 * @property {ActionInput[]} inputs
 * @property {ActionOutput[]} outputs
 * @property {string} bundle dist/index.js of the action.
 * @property {boolean} built
 */

/**
 * Where an action's metadata and bundle live.
 * @param {string} name
 * @param {string} [root]
 * @returns {{ metadata: string, bundle: string }}
 */
export function actionPaths(name, root = REPO_ROOT) {
  const folder = path.join(root, 'actions', name);
  return {
    metadata: path.join(name === ROOT_ACTION ? root : folder, 'action.yml'),
    bundle: path.join(folder, 'dist', 'index.js'),
  };
}

/**
 * Every action with an action.yml, the root pipeline first, the others by name.
 * @param {string} [root]
 * @returns {ActionInfo[]}
 */
export function listActions(root = REPO_ROOT) {
  const names = readdirSync(path.join(root, 'actions'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) => existsSync(actionPaths(name, root).metadata))
    .sort((a, b) => (a === ROOT_ACTION ? -1 : b === ROOT_ACTION ? 1 : a.localeCompare(b)));
  return names.map((name) => {
    try {
      return /** @type {ActionInfo} */ (loadAction(name, root));
    } catch (error) {
      // One broken action.yml must not hide the others.
      return {
        name,
        title: name,
        description: error instanceof Error ? error.message : String(error),
        inputs: [],
        outputs: [],
        bundle: actionPaths(name, root).bundle,
        built: false,
      };
    }
  });
}

/** @param {unknown} text */
const clean = (text) =>
  String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * The action's metadata, or undefined when `name` is no action of this checkout.
 * @param {string} name
 * @param {string} [root]
 * @returns {ActionInfo | undefined}
 */
export function loadAction(name, root = REPO_ROOT) {
  const paths = actionPaths(name, root);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(paths.metadata)) return undefined;
  /** @type {{ name?: unknown, description?: unknown, inputs?: Record<string, any>, outputs?: Record<string, any> }} */
  let parsed;
  try {
    parsed = parseYaml(readFileSync(paths.metadata, 'utf8')) ?? {};
  } catch (error) {
    const where = path.relative(root, paths.metadata);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${where} is not valid YAML: ${message.split('\n')[0]}`);
  }
  const inputs = Object.entries(parsed.inputs ?? {}).map(([inputName, spec]) => ({
    name: inputName,
    description: clean(spec?.description),
    required: spec?.required === true || spec?.required === 'true',
    default:
      spec?.default === undefined || spec?.default === null ? undefined : String(spec.default),
  }));
  const outputs = Object.entries(parsed.outputs ?? {}).map(([outputName, spec]) => ({
    name: outputName,
    description: clean(spec?.description),
  }));
  return {
    name,
    title: clean(parsed.name),
    description: clean(parsed.description),
    inputs,
    outputs,
    bundle: paths.bundle,
    built: existsSync(paths.bundle),
  };
}
