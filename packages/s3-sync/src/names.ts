/**
 * S3 and CloudFront naming rules: bucket names, key prefixes, origin paths and
 * distribution ids. Pure: the input reader and the engine's own validator
 * (validate.ts) both apply them.
 */
import { InputError } from '@deploy-actions/action-kit/engine';

const BUCKET_FORM = 'an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens';
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/**
 * S3's rules for general purpose bucket names. Names that S3 reserves for
 * access points, directory and table buckets are refused: none of them can
 * serve a static site behind CloudFront.
 */
export function validateBucketName(value: string, input = 'bucket'): string {
  const fail = (why: string) => new InputError(input, value, `${BUCKET_FORM} (${why})`);
  if (/^s3:\/\//i.test(value) || value.startsWith('arn:')) {
    throw fail('the name alone, without s3:// or arn:, and the path goes into prefix');
  }
  if (value.length < 3 || value.length > 63) throw fail(`it has ${value.length} characters`);
  if (!/^[a-z0-9.-]+$/.test(value)) throw fail('only lowercase letters, digits, "." and "-"');
  if (!/^[a-z0-9].*[a-z0-9]$/.test(value))
    throw fail('it must begin and end with a letter or digit');
  if (value.includes('..')) throw fail('no two adjacent dots');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) throw fail('it must not look like an IP address');
  const prefix = RESERVED_PREFIXES.find((p) => value.startsWith(p));
  if (prefix) throw fail(`names starting with "${prefix}" are reserved`);
  const suffix = RESERVED_SUFFIXES.find((s) => value.endsWith(s));
  if (suffix) throw fail(`names ending with "${suffix}" are reserved`);
  return value;
}

/**
 * `/site/`, `site` and `site/` all become `site/`; empty and `/` become ''
 * (the whole bucket). The trailing slash keeps `site-old/` out of `site`'s reach.
 */
export function normalisePrefix(value: string, input = 'prefix'): string {
  const trimmed = value.trim().replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  const segments = trimmed.split('/');
  const expected = 'a key prefix such as site or releases/web';
  if (segments.some((s) => s === '')) throw new InputError(input, value, `${expected} (no "//")`);
  if (segments.some((s) => s === '.' || s === '..')) {
    throw new InputError(input, value, `${expected} (no "." or ".." segments)`);
  }
  if (trimmed.includes('\\') || hasControlCharacter(trimmed)) {
    throw new InputError(input, value, `${expected} (no backslashes or control characters)`);
  }
  return `${trimmed}/`;
}

function hasControlCharacter(text: string): boolean {
  return Array.from(text).some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
}

/** A CloudFront origin path: '' or `/site` (leading slash, none at the end). */
export function normaliseOriginPath(value: string): string {
  const trimmed = value.trim().replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `/${trimmed}`;
}

const DISTRIBUTION_ID = /^[A-Z0-9]{8,20}$/;

export function validateDistributionId(value: string, input = 'distribution-id'): string {
  if (!DISTRIBUTION_ID.test(value)) {
    throw new InputError(input, value, 'a CloudFront distribution id such as E2QWRUHAPOMQZL');
  }
  return value;
}
