// The workflow snippets in the documentation get copied as they are, so they
// follow the same pinning rule as workflows-examples/*.yml: a third-party
// action is referenced by a full 40-character commit SHA (with a # vX.Y.Z
// comment saying which release it is), a container by its sha256 digest.
// Our own actions (org/deploy-actions...) and local ones (./...) are exempt.
// Scanned: every `uses:` line inside a fenced yaml/yml block (or an unlabelled
// fence) of every *.md file of the repository, except node_modules, dist and
// ignored output (.git, coverage, .tmp, bench/results).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'coverage', '.tmp']);
const SKIP_PATHS = new Set(['bench/results']);

const PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(?:\/[^@\s]+)?@[0-9a-f]{40}$/;
const DIGEST = /^docker:\/\/[^@\s]+@sha256:[0-9a-f]{64}$/;
const FENCE = /^\s*(`{3,}|~{3,})\s*([^\s`]*)/;
const USES = /^\s*(?:-\s+)?uses:\s*(['"]?)([^\s'"#]+)\1\s*(#.*)?$/;

export interface Uses {
  line: number;
  uses: string;
  comment: string | undefined;
}

/** Every `uses:` of the fenced yaml (or unlabelled) blocks of a markdown text. */
export function fencedUses(markdown: string): Uses[] {
  const found: Uses[] = [];
  let open: { marker: string; scanned: boolean } | undefined;
  markdown.split('\n').forEach((text, index) => {
    const fence = FENCE.exec(text);
    if (open) {
      // A fence closes with the same character, at least as long, and nothing after it.
      if (
        fence &&
        fence[1]![0] === open.marker[0] &&
        fence[1]!.length >= open.marker.length &&
        fence[2] === ''
      ) {
        open = undefined;
        return;
      }
      const uses = open.scanned ? USES.exec(text) : null;
      if (uses) found.push({ line: index + 1, uses: uses[2]!, comment: uses[3] });
      return;
    }
    if (fence) {
      const language = fence[2]!.toLowerCase();
      open = { marker: fence[1]!, scanned: ['yaml', 'yml', ''].includes(language) };
    }
  });
  return found;
}

/** What is wrong with the `uses:` references of one markdown file. */
export function pinProblems(file: string, markdown: string): string[] {
  const problems: string[] = [];
  for (const { line, uses, comment } of fencedUses(markdown)) {
    const where = `${file}:${line}: ${uses}`;
    if (uses.startsWith('./') || /^org\/deploy-actions(?:\/|@)/.test(uses)) continue;
    if (uses.startsWith('docker://')) {
      if (!DIGEST.test(uses)) problems.push(`${where} is not pinned to a sha256 digest`);
      continue;
    }
    if (!PINNED.test(uses)) {
      problems.push(`${where} is not pinned to a full 40-character commit SHA`);
      continue;
    }
    if (!comment || !/^#\s*v\d/.test(comment))
      problems.push(`${where} has no version comment (# vX.Y.Z)`);
  }
  return problems;
}

function markdownFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    const relative = path.relative(ROOT, full).split(path.sep).join('/');
    if (entry.isDirectory())
      return SKIP_DIRS.has(entry.name) || SKIP_PATHS.has(relative) ? [] : markdownFiles(full);
    return entry.isFile() && entry.name.endsWith('.md') ? [relative] : [];
  });
}

const FILES = markdownFiles().sort();

test('the scan sees the documentation', () => {
  expect(FILES).toEqual(
    expect.arrayContaining(['README.md', 'workflows-examples/README.md', 'bench/README.md']),
  );
  const actions = readdirSync(path.join(ROOT, 'actions'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => `actions/${e.name}/README.md`);
  expect(FILES).toEqual(expect.arrayContaining(actions));
  expect(FILES.some((f) => f.includes('node_modules/') || /(^|\/)dist\//.test(f))).toBe(false);
  // The examples do reference third-party actions, so the rule is exercised.
  const thirdParty = FILES.flatMap((f) =>
    fencedUses(readFileSync(path.join(ROOT, f), 'utf8')).filter(
      (u) => !u.uses.startsWith('org/deploy-actions') && !u.uses.startsWith('./'),
    ),
  );
  expect(thirdParty.length).toBeGreaterThan(0);
});

test.each(FILES)('%s: third-party actions in examples are pinned to a commit SHA', (file) => {
  expect(pinProblems(file, readFileSync(path.join(ROOT, file), 'utf8'))).toEqual([]);
});

// --- the check can fail -----------------------------------------------------------

describe('the check', () => {
  const SHA = '08c6903cd8c0fde910a37f88322edcfb5dd907a8';
  const block = (lines: string, language = 'yaml') =>
    `Text.\n\n\`\`\`${language}\n${lines}\n\`\`\`\n`;

  test.each([
    ['a SHA with a version comment', `- uses: actions/checkout@${SHA} # v5.0.0`],
    ['a SHA, quoted', `  - uses: 'actions/checkout@${SHA}' # v5.0.0`],
    ['a path inside an action repository', `uses: github/codeql-action/init@${SHA} # v3.29.0`],
    ['our actions', '- uses: org/deploy-actions/actions/smoke-test@v1'],
    ['the root action', '      - uses: org/deploy-actions@v1'],
    ['a local action', '- uses: ./.github/actions/setup'],
    ['a local reusable workflow', 'uses: ./.github/workflows/reusable-deploy.yml'],
    ['a container by digest', `uses: docker://alpine@sha256:${'a'.repeat(64)}`],
  ])('passes %s', (_, line) => {
    expect(pinProblems('x.md', block(line))).toEqual([]);
  });

  test.each([
    ['a major tag', '- uses: actions/checkout@v4', 'not pinned'],
    ['a full tag', '  - uses: actions/checkout@v5.0.0', 'not pinned'],
    ['a branch', 'uses: aws-actions/configure-aws-credentials@main', 'not pinned'],
    ['a short SHA', '- uses: actions/checkout@08c6903', 'not pinned'],
    ['an upper-case SHA', `- uses: actions/checkout@${SHA.toUpperCase()} # v5`, 'not pinned'],
    ['no ref at all', '- uses: actions/checkout', 'not pinned'],
    ['a look-alike of ours', '- uses: org/deploy-actions-fork/x@v1', 'not pinned'],
    ['a container by tag', 'uses: docker://alpine:3.20', 'sha256 digest'],
    ['a SHA without its version comment', `- uses: actions/checkout@${SHA}`, 'version comment'],
    ['a SHA with another comment', `- uses: actions/checkout@${SHA} # latest`, 'version comment'],
  ])('fails %s', (_, line, message) => {
    const problems = pinProblems('x.md', block(line));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
    expect(problems[0]).toMatch(/^x\.md:4: /);
  });

  test('reads yml, tilde, unlabelled and indented (list item) fences, not other languages or prose', () => {
    const markdown = [
      'Prose: `uses: actions/checkout@v4` is not an example.',
      block('- uses: a/b@v1', 'yml'),
      '~~~yaml',
      '- uses: c/d@v1',
      '```',
      '- uses: still/inside@v1',
      '~~~',
      block('- uses: e/f@v1', ''),
      '1. A step:',
      '   ```yaml',
      '   - uses: g/h@v1',
      '   ```',
      block('uses: not/yaml@v1', 'bash'),
      '````yaml',
      '```yaml',
      '- uses: i/j@v1',
      '```',
      '````',
      '- uses: after/fences@v1',
    ].join('\n');
    expect(fencedUses(markdown).map((u) => u.uses)).toEqual([
      'a/b@v1',
      'c/d@v1',
      'still/inside@v1',
      'e/f@v1',
      'g/h@v1',
      'i/j@v1',
    ]);
    expect(pinProblems('x.md', markdown)).toHaveLength(6);
  });
});
