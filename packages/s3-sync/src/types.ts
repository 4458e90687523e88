/** A file of the build output, hashed. */
export interface LocalFile {
  /** Path below source-dir with `/` separators: the object key below the prefix. */
  relPath: string;
  /** Where to read it (a symlink inside source-dir is read through its target). */
  absPath: string;
  size: number;
  /** Hex SHA-256 of the bytes: stored on the object as `x-amz-meta-sha256`. */
  sha256: string;
  /** Hex MD5 of the bytes: compared with plain single-part ETags, sent as Content-MD5. */
  md5: string;
}

/** The headers this engine manages on every object. */
export interface ObjectHeaders {
  contentType: string;
  cacheControl: string;
}

/** An object as ListObjectsV2 shows it. */
export interface ListedObject {
  key: string;
  size: number;
  /** Without the surrounding quotes. */
  etag: string;
}

/** What HeadObject tells about an object: its content hash (when we stored one) and headers. */
export interface ObjectDetails {
  size: number;
  etag: string;
  /** Undefined when the object was not uploaded by this engine (or its metadata was replaced). */
  sha256: string | undefined;
  contentType: string | undefined;
  cacheControl: string | undefined;
}

export type InvalidationMode = 'changed' | 'all' | 'none';

/**
 * The CloudFront side of a deploy, implemented next to the CloudFront client.
 * The engine calls `create` after every upload finished and deletes stale
 * objects only once `wait` resolved.
 */
export interface Invalidator {
  /**
   * Starts an invalidation of viewer paths (`/docs/index.html`, `/assets/*`), at most
   * 3,000 of them with at most 15 wildcards. Returns the invalidation id.
   * `callerReference` is the same for retries of one deploy, so a retried request
   * does not start a second invalidation.
   */
  create(paths: readonly string[], callerReference: string): Promise<string>;
  /** Resolves when the invalidation completed; rejects (UserError) when `timeoutMs` passed first. */
  wait(id: string, timeoutMs: number): Promise<void>;
}
