/**
 * S3_SYNC_CALLS is the IAM source of truth for the sync engine: every AWS
 * command its source sends must be declared there, with the IAM actions its
 * error hints name, and nothing it never sends.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3_SYNC_CALLS } from '../../../packages/s3-sync/src/index.js';

const SRC = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../packages/s3-sync/src',
);
/** What lib-storage's Upload sends for a multipart upload. */
const MULTIPART = [
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
];

async function engineSource(): Promise<string> {
  const files = (await readdir(SRC)).filter((f) => f.endsWith('.ts') && f !== 'calls.ts');
  const texts = await Promise.all(files.map((f) => readFile(path.join(SRC, f), 'utf8')));
  return texts.join('\n');
}

test('every command the engine sends is declared, and only those', async () => {
  const source = await engineSource();
  const sent = new Set<string>();
  for (const [, name] of source.matchAll(/new (\w+)Command\(/g)) sent.add(name!);
  for (const [, name] of source.matchAll(/\bpaginate(\w+)\(/g)) sent.add(name!);
  if (/new Upload\(/.test(source)) MULTIPART.forEach((name) => sent.add(name));
  expect(sent.size).toBeGreaterThan(5);
  const declared = S3_SYNC_CALLS.filter((c) => c.operation !== '*').map((c) => c.operation);
  expect([...declared].sort()).toEqual([...sent].sort());
});

test('every IAM action the error hints name is in the table', async () => {
  const source = await engineSource();
  const named = new Set(
    [...source.matchAll(/action: '((?:s3|cloudfront):\w+)'/g)].map(([, action]) => action!),
  );
  expect(named.size).toBeGreaterThan(3);
  const declared = new Set(S3_SYNC_CALLS.flatMap((c) => c.actions));
  expect([...named].filter((action) => !declared.has(action))).toEqual([]);
});

test('each declaration is well-formed', () => {
  for (const call of S3_SYNC_CALLS) {
    expect(call.actions.length).toBeGreaterThan(0);
    for (const action of call.actions) expect(action.startsWith(`${call.service}:`)).toBe(true);
    expect(call.resource).toMatch(/^arn:aws:(s3|cloudfront|kms):/);
    expect(call.when).not.toBe('');
  }
});
