/**
 * S3_SYNC_CALLS is the IAM source of truth for the sync engine: every AWS
 * command its source sends must be declared there, and nothing it never
 * sends; every call goes through callWith(S3_SYNC_TABLE, '<Operation>', …),
 * so the IAM actions its errors name are read from it, never written as strings.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  S3_SYNC_BY_OPERATION,
  S3_SYNC_CALLS,
  type S3SyncOperation,
} from '../../../packages/s3-sync/src/index.js';

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

test('the engine names IAM actions from the table, never as strings', async () => {
  const source = await engineSource();
  const written = [...source.matchAll(/action: '((?:s3|cloudfront|kms):\w+)'/g)].map(([m]) => m);
  expect(written).toEqual([]);
  const looked = new Set(
    [...source.matchAll(/callWith[^(]*\(\s*S3_SYNC_TABLE,\s*'(\w+)'/g)].map(([, op]) => op!),
  );
  expect(looked.size).toBeGreaterThan(5);
  for (const operation of looked) expect(Object.keys(S3_SYNC_BY_OPERATION)).toContain(operation);
});

test('S3_SYNC_BY_OPERATION holds the very entries of S3_SYNC_CALLS, by operation', () => {
  const calls = S3_SYNC_CALLS.filter((c) => c.operation !== '*');
  expect(Object.keys(S3_SYNC_BY_OPERATION).sort()).toEqual(calls.map((c) => c.operation).sort());
  for (const call of calls) {
    expect(S3_SYNC_BY_OPERATION[call.operation as S3SyncOperation]).toBe(call);
  }
  // A copy onto the same key is authorized as the write: its errors name s3:PutObject.
  expect(S3_SYNC_BY_OPERATION.CopyObject.actions[0]).toBe('s3:PutObject');
  expect(S3_SYNC_BY_OPERATION.HeadObject.actions[0]).toBe('s3:GetObject');
  expect(S3_SYNC_BY_OPERATION.ListObjectsV2.actions[0]).toBe('s3:ListBucket');
});

test('each declaration is well-formed', () => {
  for (const call of S3_SYNC_CALLS) {
    expect(call.actions.length).toBeGreaterThan(0);
    for (const action of call.actions) expect(action.startsWith(`${call.service}:`)).toBe(true);
    expect(call.resource).toMatch(/^arn:aws:(s3|cloudfront|kms):/);
    expect(call.when).not.toBe('');
  }
});
