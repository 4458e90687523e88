import * as core from '@actions/core';
import { resumeCommands, writeVerbatim } from './commands.js';
import type { Logger } from './logger.js';
import { secretForms } from './mask.js';

/** Masks a secret and its derived forms in every later line of the job log. */
export function maskSecret(secret: string | undefined): void {
  if (secret === undefined) return;
  resumeCommands();
  for (const form of secretForms(secret)) core.setSecret(form);
}

/**
 * The Logger engines write to, backed by the runner's workflow commands.
 * Every call but `output` first turns commands back on after third-party output.
 */
export function runnerLogger(): Logger {
  return {
    info: (message) => (resumeCommands(), core.info(message)),
    output: (line) => writeVerbatim(line),
    debug: (message) => (resumeCommands(), core.debug(message)),
    warning: (message, location) => (
      resumeCommands(),
      core.warning(message, toAnnotation(location))
    ),
    error: (message, location) => (resumeCommands(), core.error(message, toAnnotation(location))),
    group: async (title, fn) => {
      resumeCommands();
      core.startGroup(title);
      try {
        return await fn();
      } finally {
        // ::endgroup:: is a command too: it must not fall inside a stop.
        resumeCommands();
        core.endGroup();
      }
    },
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
  resumeCommands(); // the toolkit masks the token with ::add-mask::
  return core.getIDToken(audience);
}
