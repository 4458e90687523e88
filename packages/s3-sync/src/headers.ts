import mimeDb from 'mime-db';
import { baseName, compileGlobs } from './globs.js';
import { firstMatchingRule, type HeaderRule } from './rules.js';
import type { ObjectHeaders } from './types.js';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const NO_CACHE = 'no-cache';
export const UNKNOWN_CONTENT_TYPE = 'application/octet-stream';

/**
 * Entry files: what a visitor's browser asks for by a stable URL (pages,
 * service workers, web app manifests). Uploaded last, so everything they
 * reference is already in place; and revalidated on every visit.
 */
export const DEFAULT_UPLOAD_LAST = [
  '*.html',
  '*.htm',
  'sw.js',
  'service-worker.js',
  'serviceworker.js',
  '*.webmanifest',
  'manifest.json',
];

/** Build-tool folders whose every file is named by its build or content hash. */
const IMMUTABLE_FOLDERS = compileGlobs(['_next/static/**', '_app/immutable/**'], { dot: true });
const REVALIDATED_FILES = compileGlobs(DEFAULT_UPLOAD_LAST, { dot: true });

/**
 * The single-page-app defaults, used when no cache-control rule matched:
 * content-hashed files never change under their URL, so browsers and CloudFront
 * keep them for a year; everything else (entry files and files named without a
 * hash) may change under the same URL, so browsers revalidate it (an ETag hit is
 * a cheap 304).
 */
export function defaultCacheControl(relPath: string): string {
  if (REVALIDATED_FILES(relPath)) return NO_CACHE;
  if (IMMUTABLE_FOLDERS(relPath) || isContentHashed(relPath)) return IMMUTABLE;
  return NO_CACHE;
}

const HEX_HASH = /^(?=.*\d)(?=.*[a-f])[0-9a-f]{8,}$|^(?=.*\d)(?=.*[A-F])[0-9A-F]{8,}$/;
const BASE64URL_8 = /^[A-Za-z0-9_-]{8}$/;

/**
 * True when the file name carries a content hash, as bundlers write them:
 * `app.3f9a1c2b.js`, `main.3f9a1c2b.chunk.js` (webpack, CRA, Parcel, Angular),
 * `index-4b1c7bb5ee5b9a4c.js` (Next, Gatsby), `index-BxA3d9_Z.js` and
 * `index.BxA3d9_Z.js` (Vite/Rollup, Astro), `DlAUqK2U.js` (Nuxt).
 *
 * A wrong "yes" would pin a changed file in browsers for a year, a wrong "no"
 * only costs a revalidation, so the test is strict: a hex hash needs 8+ digits
 * and letters mixed; a base64url hash (Rollup's default length, 8) needs
 * lowercase, uppercase and a digit — names such as `app-Settings.js` or
 * `report-v2-final.pdf` stay unhashed; about a quarter of Rollup hashes lack
 * one class and are treated as unhashed too (write a rule if that matters).
 */
export function isContentHashed(relPath: string): boolean {
  const name = baseName(relPath);
  const lastDot = name.lastIndexOf('.');
  if (lastDot <= 0) return false;
  const stemSegments = name.slice(0, lastDot).split('.');
  return stemSegments.some((segment) => hashCandidates(segment).some(looksLikeHash));
}

/** The whole segment, what follows its last `-`, and its last 8 characters when a `-` precedes them. */
function hashCandidates(segment: string): string[] {
  const candidates = [segment, segment.slice(segment.lastIndexOf('-') + 1)];
  if (segment.length > 9 && segment[segment.length - 9] === '-') candidates.push(segment.slice(-8));
  return candidates;
}

function looksLikeHash(token: string): boolean {
  if (HEX_HASH.test(token)) return true;
  return BASE64URL_8.test(token) && /[a-z]/.test(token) && /[A-Z]/.test(token) && /\d/.test(token);
}

/**
 * Content type from mime-db (the database behind the `mime-types` package,
 * maintained from IANA, Apache and nginx), with `charset=utf-8` on text types.
 * Unknown or missing extensions get application/octet-stream.
 */
export function contentTypeFor(relPath: string): string {
  const name = baseName(relPath);
  const dot = name.lastIndexOf('.');
  const type = dot < 0 ? undefined : TYPE_BY_EXTENSION.get(name.slice(dot + 1).toLowerCase());
  if (type === undefined) return UNKNOWN_CONTENT_TYPE;
  return isTextual(type) ? `${type}; charset=utf-8` : type;
}

function isTextual(type: string): boolean {
  return (
    type.startsWith('text/') ||
    /\+(json|xml)$/.test(type) ||
    ['application/json', 'application/xml', 'application/javascript'].includes(type) ||
    mimeDb[type]?.charset?.toUpperCase() === 'UTF-8'
  );
}

const SOURCE_RANK: Record<string, number> = { iana: 3, apache: 2, nginx: 1 };
const TYPE_BY_EXTENSION = buildExtensionIndex();

/**
 * Several types claim some extensions (`js`: text/javascript and
 * application/javascript; `mp4`: video/mp4 and application/mp4). The type from
 * the most authoritative source wins (IANA, then Apache, then nginx), then a
 * non-`application/` type (the more specific one for browsers), then the
 * shorter name.
 */
function buildExtensionIndex(): Map<string, string> {
  const index = new Map<string, string>();
  for (const [type, entry] of Object.entries(mimeDb)) {
    for (const extension of entry.extensions ?? []) {
      const current = index.get(extension);
      if (current === undefined || typePreference(type) > typePreference(current)) {
        index.set(extension, type);
      }
    }
  }
  return index;
}

function typePreference(type: string): number {
  const source = SOURCE_RANK[mimeDb[type]?.source ?? ''] ?? 0;
  const specific = type.startsWith('application/') ? 0 : 1;
  return source * 1000 + specific * 100 - type.length;
}

/** Decides each file's headers: user rules first (first match wins), then the defaults. */
export interface HeaderPolicy {
  headersFor(relPath: string): ObjectHeaders;
}

export function createHeaderPolicy(rules: {
  cacheControl: readonly HeaderRule[];
  contentType: readonly HeaderRule[];
}): HeaderPolicy {
  return {
    headersFor: (relPath) => ({
      contentType: firstMatchingRule(rules.contentType, relPath)?.value ?? contentTypeFor(relPath),
      cacheControl:
        firstMatchingRule(rules.cacheControl, relPath)?.value ?? defaultCacheControl(relPath),
    }),
  };
}
