import { readFileSync } from 'node:fs';
import { UserError } from '@deploy-actions/action-kit/engine';
import { validateTag } from './reference.js';

/**
 * The commit the image is built from. On pull_request events GITHUB_SHA is the
 * merge commit GitHub made, which no branch points at; the head commit is what
 * the author pushed and what later deploys will look up.
 */
export function commitSha(
  env: NodeJS.ProcessEnv,
  readEvent: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): string {
  const isPullRequest =
    env.GITHUB_EVENT_NAME === 'pull_request' || env.GITHUB_EVENT_NAME === 'pull_request_target';
  if (isPullRequest && env.GITHUB_EVENT_PATH) {
    const event = JSON.parse(readEvent(env.GITHUB_EVENT_PATH)) as {
      pull_request?: { head?: { sha?: string } };
    };
    const head = event.pull_request?.head?.sha;
    if (head) return head;
  }
  const sha = env.GITHUB_SHA ?? '';
  if (!/^[0-9a-f]{40}$/.test(sha)) {
    throw new UserError(
      `GITHUB_SHA is ${sha ? `"${sha}"` : 'not set'}, so the image cannot be tagged with its commit.`,
      {
        hint: 'Run this action in a GitHub Actions job (or set GITHUB_SHA to the full 40-character commit id).',
      },
    );
  }
  return sha;
}

/** The commit SHA first (always), then the extra tags, each once. */
export function imageTags(sha: string, extra: readonly string[]): string[] {
  return [...new Set([sha, ...extra.map((tag) => validateTag('tags', tag))])];
}
