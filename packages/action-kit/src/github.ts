import * as core from '@actions/core';
import type { Logger } from './logger.js';
import { secretForms } from './mask.js';

/** Masks a secret and its derived forms in every later line of the job log. */
export function maskSecret(secret: string | undefined): void {
  if (secret === undefined) return;
  for (const form of secretForms(secret)) core.setSecret(form);
}

/** The Logger engines write to, backed by the runner's workflow commands. */
export function runnerLogger(): Logger {
  return {
    info: (message) => core.info(message),
    debug: (message) => core.debug(message),
    warning: (message, location) => core.warning(message, toAnnotation(location)),
    error: (message, location) => core.error(message, toAnnotation(location)),
    group: (title, fn) => core.group(title, fn),
    mask: (secret) => maskSecret(secret),
  };
}

function toAnnotation(location: { title?: string; file?: string; startLine?: number } | undefined) {
  if (!location) return undefined;
  return { title: location.title, file: location.file, startLine: location.startLine };
}

/** Sets one output. Every output an action sets goes through here (a test checks them against action.yml). */
export function output(name: string, value: string | number | boolean): void {
  core.setOutput(name, typeof value === 'string' ? value : String(value));
}

/** Asks GitHub for an OIDC token for `audience` (needs `permissions: id-token: write`). */
export function githubIdToken(audience: string): Promise<string> {
  return core.getIDToken(audience);
}
