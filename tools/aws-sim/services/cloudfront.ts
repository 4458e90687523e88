/**
 * CloudFront in the simulator (REST-XML, API version 2020-05-31): the calls a
 * static-site deploy makes — GetDistribution, GetDistributionConfig,
 * CreateInvalidation, GetInvalidation, ListInvalidations.
 *
 * Usage:
 * ```ts
 * const cloudfront = createCloudFrontService({ invalidationDurationMs: 500 });
 * simulator.register(cloudfront);               // AWS_ENDPOINT_URL_CLOUDFRONT
 * const { id } = cloudfront.addDistribution({ bucket: 'site', originPath: '/v1' });
 * cloudfront.denyGetInvalidation();             // AccessDenied on GetInvalidation
 * cloudfront.invalidations(id);                 // what CreateInvalidation made
 * simulator.faults.add({ service: 'cloudfront', operation: 'CreateInvalidation', kind: 'throttle', count: 2 });
 * ```
 *
 * What it models, as CloudFront documents it:
 * - Distributions are seeded by the control API (origins with OriginPath,
 *   aliases, cache behaviours); GetDistribution and GetDistributionConfig
 *   answer them with an `ETag` header (the config version).
 * - CreateInvalidation answers 201 with a `Location` header. An invalidation is
 *   InProgress for the configured duration, then Completed (computed from the
 *   clock on each read, so nothing runs in the background).
 * - In-progress limits per distribution: 3,000 individual paths and,
 *   independently, 15 wildcard paths (`*` at the end) in InProgress
 *   invalidations; a batch that would exceed either is refused with
 *   TooManyInvalidationsInProgress. A batch that alone exceeds 3,000 paths is
 *   refused with BatchTooLarge (413).
 * - CallerReference is idempotent per distribution: the same reference with the
 *   same paths (in any order) returns the invalidation it created (201, no new
 *   invalidation, no limit check); with different paths,
 *   InvalidationBatchAlreadyExists (409).
 * - ListInvalidations returns the newest first, paged by Marker/MaxItems
 *   (default and maximum 100); NextMarker is the last id of the page.
 * - NoSuchDistribution / NoSuchInvalidation (404), InconsistentQuantities and
 *   InvalidArgument (400) for malformed batches, AccessDenied (403, IAM's
 *   message) for operations denied with `deny()`.
 * Not modelled: distribution updates, tags, regions (CloudFront is global),
 * path encoding rules beyond "starts with /".
 *
 * Throttling, 5xx, resets and latency come from `simulator.faults` (service
 * `cloudfront`, operation names as above).
 */
import { SimError } from '../errors.js';
import { randomId } from '../ids.js';
import type {
  RequestContext,
  RestXmlRequest,
  RestXmlResponse,
  RestXmlServiceModule,
} from '../types.js';
import { asList, type ParsedXml, type ParsedXmlObject, type XmlObject } from '../xml.js';

export const CLOUDFRONT_API_VERSION = '2020-05-31';
export const CLOUDFRONT_XMLNS = `http://cloudfront.amazonaws.com/doc/${CLOUDFRONT_API_VERSION}/`;
/** Individual (non-wildcard) paths in InProgress invalidations, per distribution. */
export const MAX_IN_PROGRESS_PATHS = 3000;
/** Wildcard paths in InProgress invalidations, per distribution. */
export const MAX_IN_PROGRESS_WILDCARDS = 15;
const LIST_MAX_ITEMS = 100;
const DEFAULT_INVALIDATION_DURATION_MS = 1000;

export type CloudFrontOperation =
  | 'GetDistribution'
  | 'GetDistributionConfig'
  | 'CreateInvalidation'
  | 'GetInvalidation'
  | 'ListInvalidations';

// --- Control API -------------------------------------------------------------

export interface OriginSeed {
  /** The origin's Id; `origin-1`, `origin-2`, … when absent. */
  id?: string;
  /** e.g. `my-bucket.s3.us-east-1.amazonaws.com`, or any custom origin host. */
  domainName: string;
  /** '' or `/path` (no trailing slash), as CloudFront stores it. */
  originPath?: string;
}

export interface CacheBehaviorSeed {
  /** e.g. `/api/*`. */
  pathPattern: string;
  /** Id of one of the distribution's origins. */
  targetOriginId: string;
}

export interface DistributionSeed {
  /** `E` + 13 characters, random when absent. */
  id?: string;
  /** `<id lower-case>.cloudfront.net` when absent. */
  domainName?: string;
  /** Alternate domain names (CNAMEs). */
  aliases?: readonly string[];
  /**
   * The origins; when absent, one S3 origin for `bucket` (default
   * `example-bucket`) in `region` (default us-east-1) with `originPath`.
   */
  origins?: readonly OriginSeed[];
  bucket?: string;
  region?: string;
  /** OriginPath of the default origin (ignored when `origins` is given). */
  originPath?: string;
  /** The default cache behaviour's origin: the first origin when absent. */
  defaultOriginId?: string;
  cacheBehaviors?: readonly CacheBehaviorSeed[];
  defaultRootObject?: string;
  enabled?: boolean;
  comment?: string;
}

/** A seeded distribution, for the test to use. */
export interface DistributionInfo {
  id: string;
  arn: string;
  domainName: string;
  /** The current ETag of GetDistribution/GetDistributionConfig. */
  etag: string;
  origins: ReadonlyArray<Required<OriginSeed>>;
}

export type InvalidationStatus = 'InProgress' | 'Completed';

/** An invalidation as the simulator holds it (a snapshot). */
export interface InvalidationRecord {
  id: string;
  distributionId: string;
  callerReference: string;
  /** In the order the request listed them. */
  paths: readonly string[];
  createTime: Date;
  status: InvalidationStatus;
  /** How many CreateInvalidation calls returned this invalidation (retries included). */
  requests: number;
}

export interface CloudFrontServiceOptions {
  /** How long an invalidation stays InProgress: 1,000 ms when absent. */
  invalidationDurationMs?: number;
  /** The clock invalidations and distributions are timed by; the real clock when absent. */
  now?: () => Date;
  /** The account distribution ARNs belong to: 123456789012 when absent. */
  accountId?: string;
}

export interface CloudFrontSimulator extends RestXmlServiceModule {
  /** Creates a distribution (status Deployed) and returns what a test needs of it. */
  addDistribution(seed?: DistributionSeed): DistributionInfo;
  /**
   * How long invalidations created from now on stay InProgress; `Infinity`
   * keeps them InProgress until `completeInvalidations()`.
   */
  setInvalidationDuration(ms: number): void;
  /** Completes InProgress invalidations now: all, one distribution's, or one by id. */
  completeInvalidations(filter?: { distributionId?: string; id?: string }): void;
  /** Answers AccessDenied (IAM's wording) to GetInvalidation; `false` allows it again. */
  denyGetInvalidation(denied?: boolean): void;
  /** Answers AccessDenied to any of the five operations; `false` allows it again. */
  deny(operation: CloudFrontOperation, denied?: boolean): void;
  /** The distribution's invalidations, oldest first, with their current status. */
  invalidations(distributionId: string): InvalidationRecord[];
  /** A distribution's current info, or undefined. */
  distribution(id: string): DistributionInfo | undefined;
}

// --- State -------------------------------------------------------------------

interface DistributionState {
  id: string;
  domainName: string;
  etag: string;
  lastModified: Date;
  callerReference: string;
  aliases: string[];
  origins: Array<Required<OriginSeed>>;
  defaultOriginId: string;
  cacheBehaviors: CacheBehaviorSeed[];
  defaultRootObject: string;
  enabled: boolean;
  comment: string;
  invalidations: InvalidationState[];
}

interface InvalidationState {
  id: string;
  callerReference: string;
  paths: string[];
  createTime: Date;
  /** Absent while the invalidation waits for completeInvalidations(). */
  completesAt: Date | undefined;
  completed: boolean;
  requests: number;
}

const ID = /^[A-Z0-9]{1,128}$/;

export function createCloudFrontService(
  options: CloudFrontServiceOptions = {},
): CloudFrontSimulator {
  const now = options.now ?? (() => new Date());
  const accountId = options.accountId ?? '123456789012';
  let durationMs = options.invalidationDurationMs ?? DEFAULT_INVALIDATION_DURATION_MS;
  const distributions = new Map<string, DistributionState>();
  const denied = new Set<CloudFrontOperation>();

  const setDenied = (operation: CloudFrontOperation, deny = true) => {
    if (deny) denied.add(operation);
    else denied.delete(operation);
  };
  const arnOf = (id: string) => `arn:aws:cloudfront::${accountId}:distribution/${id}`;
  const statusOf = (inv: InvalidationState): InvalidationStatus => {
    if (!inv.completed && inv.completesAt !== undefined && now() >= inv.completesAt) {
      inv.completed = true;
    }
    return inv.completed ? 'Completed' : 'InProgress';
  };
  const info = (d: DistributionState): DistributionInfo => ({
    id: d.id,
    arn: arnOf(d.id),
    domainName: d.domainName,
    etag: d.etag,
    origins: d.origins.map((o) => ({ ...o })),
  });

  const distributionOf = (id: string | undefined): DistributionState => {
    const distribution = id === undefined ? undefined : distributions.get(id);
    if (!distribution) {
      throw new SimError('NoSuchDistribution', 'The specified distribution does not exist.', 404);
    }
    return distribution;
  };
  const authorize = (
    operation: CloudFrontOperation,
    ctx: RequestContext,
    distributionId: string | undefined,
  ) => {
    if (!denied.has(operation)) return;
    const who = ctx.caller?.arn ?? `arn:aws:iam::${ctx.accountId}:user/anonymous`;
    throw new SimError(
      'AccessDenied',
      `User: ${who} is not authorized to perform: cloudfront:${operation} on resource: ${arnOf(distributionId ?? '*')} because no identity-based policy allows the cloudfront:${operation} action`,
      403,
    );
  };

  const invalidationXml = (inv: InvalidationState): XmlObject => ({
    Id: inv.id,
    Status: statusOf(inv),
    CreateTime: inv.createTime,
    InvalidationBatch: {
      Paths: { Quantity: inv.paths.length, Items: { Path: inv.paths } },
      CallerReference: inv.callerReference,
    },
  });

  const operations: CloudFrontSimulator['operations'] = {
    GetDistribution(request, ctx) {
      authorize('GetDistribution', ctx, request.labels.Id);
      const d = distributionOf(request.labels.Id);
      const inProgress = d.invalidations.filter((i) => statusOf(i) === 'InProgress').length;
      return {
        headers: { etag: d.etag },
        body: {
          root: 'Distribution',
          value: {
            Id: d.id,
            ARN: arnOf(d.id),
            Status: 'Deployed',
            LastModifiedTime: d.lastModified,
            InProgressInvalidationBatches: inProgress,
            DomainName: d.domainName,
            ActiveTrustedSigners: { Enabled: false, Quantity: 0 },
            ActiveTrustedKeyGroups: { Enabled: false, Quantity: 0 },
            DistributionConfig: distributionConfigXml(d),
            AliasICPRecordals: d.aliases.length
              ? {
                  AliasICPRecordal: d.aliases.map((cname) => ({
                    CNAME: cname,
                    ICPRecordalStatus: 'APPROVED',
                  })),
                }
              : undefined,
          },
        },
      };
    },

    GetDistributionConfig(request, ctx) {
      authorize('GetDistributionConfig', ctx, request.labels.Id);
      const d = distributionOf(request.labels.Id);
      return {
        headers: { etag: d.etag },
        body: { root: 'DistributionConfig', value: distributionConfigXml(d) },
      };
    },

    CreateInvalidation(request, ctx): RestXmlResponse {
      const distributionId = request.labels.DistributionId;
      authorize('CreateInvalidation', ctx, distributionId);
      const d = distributionOf(distributionId);
      const batch = parseBatch(request);
      const location = (id: string) =>
        `https://cloudfront.amazonaws.com/${CLOUDFRONT_API_VERSION}/distribution/${d.id}/invalidation/${id}`;
      const answer = (inv: InvalidationState): RestXmlResponse => ({
        status: 201,
        headers: { location: location(inv.id) },
        body: { root: 'Invalidation', value: invalidationXml(inv) },
      });

      const existing = d.invalidations.find((i) => i.callerReference === batch.callerReference);
      if (existing) {
        if (!samePaths(existing.paths, batch.paths)) {
          throw new SimError(
            'InvalidationBatchAlreadyExists',
            `Invalidation batch specified already exists with a different set of paths for caller reference ${batch.callerReference}.`,
            409,
          );
        }
        existing.requests++;
        return answer(existing);
      }

      const wildcards = batch.paths.filter(isWildcard).length;
      const files = batch.paths.length - wildcards;
      if (files > MAX_IN_PROGRESS_PATHS) {
        throw new SimError('BatchTooLarge', 'Invalidation batch specified is too large.', 413);
      }
      const inProgress = d.invalidations.filter((i) => statusOf(i) === 'InProgress');
      const busyWildcards = inProgress.reduce((n, i) => n + i.paths.filter(isWildcard).length, 0);
      const busyFiles = inProgress.reduce((n, i) => n + i.paths.length, 0) - busyWildcards;
      if (
        busyFiles + files > MAX_IN_PROGRESS_PATHS ||
        busyWildcards + wildcards > MAX_IN_PROGRESS_WILDCARDS
      ) {
        throw new SimError(
          'TooManyInvalidationsInProgress',
          'You have exceeded the maximum number of allowable InProgress Invalidation batch requests, or invalidation objects.',
          400,
        );
      }

      const created = now();
      const inv: InvalidationState = {
        id: uniqueInvalidationId(d),
        callerReference: batch.callerReference,
        paths: batch.paths,
        createTime: created,
        completesAt: Number.isFinite(durationMs)
          ? new Date(created.getTime() + durationMs)
          : undefined,
        completed: false,
        requests: 1,
      };
      d.invalidations.push(inv);
      // CreateInvalidation always answers InProgress, even with a zero duration.
      return {
        status: 201,
        headers: { location: location(inv.id) },
        body: {
          root: 'Invalidation',
          value: { ...invalidationXml(inv), Status: 'InProgress' },
        },
      };
    },

    GetInvalidation(request, ctx) {
      const distributionId = request.labels.DistributionId;
      authorize('GetInvalidation', ctx, distributionId);
      const d = distributionOf(distributionId);
      const inv = d.invalidations.find((i) => i.id === request.labels.Id);
      if (!inv) {
        throw new SimError('NoSuchInvalidation', 'The specified invalidation does not exist.', 404);
      }
      return { body: { root: 'Invalidation', value: invalidationXml(inv) } };
    },

    ListInvalidations(request, ctx) {
      const distributionId = request.labels.DistributionId;
      authorize('ListInvalidations', ctx, distributionId);
      const d = distributionOf(distributionId);
      const maxItems = parseMaxItems(request.query.MaxItems);
      const newestFirst = [...d.invalidations].reverse();
      const marker = request.query.Marker ?? '';
      const start = marker === '' ? 0 : newestFirst.findIndex((i) => i.id === marker) + 1;
      const page = newestFirst.slice(start, start + maxItems);
      const truncated = start + maxItems < newestFirst.length;
      return {
        body: {
          root: 'InvalidationList',
          value: {
            Marker: marker,
            NextMarker: truncated ? page[page.length - 1]!.id : undefined,
            MaxItems: maxItems,
            IsTruncated: truncated,
            Quantity: page.length,
            Items: page.length
              ? {
                  InvalidationSummary: page.map((i) => ({
                    Id: i.id,
                    CreateTime: i.createTime,
                    Status: statusOf(i),
                  })),
                }
              : undefined,
          },
        },
      };
    },
  };

  return {
    name: 'cloudfront',
    endpointEnvSuffix: 'CLOUDFRONT',
    protocol: 'rest-xml',
    xmlNamespace: CLOUDFRONT_XMLNS,
    routes: [
      { method: 'GET', path: '/2020-05-31/distribution/{Id}', operation: 'GetDistribution' },
      {
        method: 'GET',
        path: '/2020-05-31/distribution/{Id}/config',
        operation: 'GetDistributionConfig',
      },
      {
        method: 'POST',
        path: '/2020-05-31/distribution/{DistributionId}/invalidation',
        operation: 'CreateInvalidation',
      },
      {
        method: 'GET',
        path: '/2020-05-31/distribution/{DistributionId}/invalidation/{Id}',
        operation: 'GetInvalidation',
      },
      {
        method: 'GET',
        path: '/2020-05-31/distribution/{DistributionId}/invalidation',
        operation: 'ListInvalidations',
      },
    ],
    operations,

    addDistribution(seed = {}) {
      const id = seed.id ?? randomId('E', 13);
      if (!ID.test(id)) throw new Error(`Not a CloudFront distribution id: ${id}`);
      if (distributions.has(id)) throw new Error(`Distribution ${id} already exists`);
      const region = seed.region ?? 'us-east-1';
      const originSeeds: readonly OriginSeed[] = seed.origins ?? [
        {
          id: `S3-${seed.bucket ?? 'example-bucket'}`,
          domainName: `${seed.bucket ?? 'example-bucket'}.s3.${region}.amazonaws.com`,
          originPath: seed.originPath ?? '',
        },
      ];
      if (originSeeds.length === 0) throw new Error('A distribution needs at least one origin');
      const origins = originSeeds.map((o, index) => ({
        id: o.id ?? `origin-${index + 1}`,
        domainName: o.domainName,
        originPath: checkOriginPath(o.originPath ?? ''),
      }));
      const originIds = new Set(origins.map((o) => o.id));
      const defaultOriginId = seed.defaultOriginId ?? origins[0]!.id;
      for (const target of [
        defaultOriginId,
        ...(seed.cacheBehaviors ?? []).map((b) => b.targetOriginId),
      ]) {
        if (!originIds.has(target)) throw new Error(`No origin with id ${target}`);
      }
      const state: DistributionState = {
        id,
        domainName: seed.domainName ?? `${id.toLowerCase()}.cloudfront.net`,
        etag: randomId('E', 13),
        lastModified: now(),
        callerReference: `sim-${id}`,
        aliases: [...(seed.aliases ?? [])],
        origins,
        defaultOriginId,
        cacheBehaviors: [...(seed.cacheBehaviors ?? [])],
        defaultRootObject: seed.defaultRootObject ?? 'index.html',
        enabled: seed.enabled ?? true,
        comment: seed.comment ?? '',
        invalidations: [],
      };
      distributions.set(id, state);
      return info(state);
    },

    setInvalidationDuration(ms) {
      if (!(ms >= 0)) throw new Error(`Invalidation duration must be >= 0, got ${ms}`);
      durationMs = ms;
    },

    completeInvalidations(filter = {}) {
      for (const d of distributions.values()) {
        if (filter.distributionId !== undefined && d.id !== filter.distributionId) continue;
        for (const inv of d.invalidations) {
          if (filter.id === undefined || inv.id === filter.id) inv.completed = true;
        }
      }
    },

    denyGetInvalidation(deny = true) {
      setDenied('GetInvalidation', deny);
    },

    deny: setDenied,

    invalidations(distributionId) {
      const d = distributions.get(distributionId);
      if (!d) throw new Error(`No distribution ${distributionId}`);
      return d.invalidations.map((inv) => ({
        id: inv.id,
        distributionId,
        callerReference: inv.callerReference,
        paths: [...inv.paths],
        createTime: inv.createTime,
        status: statusOf(inv),
        requests: inv.requests,
      }));
    },

    distribution(id) {
      const d = distributions.get(id);
      return d ? info(d) : undefined;
    },
  };
}

// --- Helpers -----------------------------------------------------------------

function uniqueInvalidationId(d: DistributionState): string {
  for (;;) {
    const id = randomId('I', 13);
    if (!d.invalidations.some((i) => i.id === id)) return id;
  }
}

function checkOriginPath(path: string): string {
  if (path !== '' && (!path.startsWith('/') || path.endsWith('/'))) {
    throw new Error(`An OriginPath starts with / and does not end with one: ${path}`);
  }
  return path;
}

/** A wildcard path: CloudFront allows `*` only as the last character. */
function isWildcard(path: string): boolean {
  return path.endsWith('*');
}

function samePaths(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sortedA = [...a].sort();
  const sortedB = [...b].sort();
  return sortedA.every((p, i) => p === sortedB[i]);
}

function parseMaxItems(value: string | undefined): number {
  if (value === undefined || value === '') return LIST_MAX_ITEMS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new SimError('InvalidArgument', `MaxItems must be a positive integer: ${value}`);
  }
  return Math.min(n, LIST_MAX_ITEMS);
}

function child(value: ParsedXml | ParsedXml[] | undefined): ParsedXmlObject | undefined {
  return typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function text(value: ParsedXml | ParsedXml[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Reads `<InvalidationBatch>` as CloudFront validates it. */
function parseBatch(request: RestXmlRequest): { callerReference: string; paths: string[] } {
  if (!request.body) throw new SimError('MissingBody', 'The request body is missing.');
  if (request.body.root !== 'InvalidationBatch') {
    throw new SimError(
      'MalformedInput',
      `Unexpected root element ${request.body.root}, expected InvalidationBatch.`,
    );
  }
  const batch = child(request.body.value) ?? {};
  const callerReference = text(batch.CallerReference) ?? '';
  if (callerReference === '') {
    throw new SimError('InvalidArgument', 'CallerReference is required.');
  }
  const pathsElement = child(batch.Paths);
  const quantityText = text(pathsElement?.Quantity);
  const quantity = Number(quantityText);
  if (!pathsElement || quantityText === undefined || !Number.isInteger(quantity)) {
    throw new SimError('MalformedInput', 'Paths/Quantity is required.');
  }
  const items = child(pathsElement.Items);
  const paths = asList(items?.Path).map((p) => (typeof p === 'string' ? p : ''));
  if (paths.length !== quantity) {
    throw new SimError(
      'InconsistentQuantities',
      "The value of Quantity and the size of Items don't match.",
    );
  }
  if (paths.length === 0 || paths.some((p) => !p.startsWith('/') || p.slice(0, -1).includes('*'))) {
    throw new SimError(
      'InvalidArgument',
      'Your request contains one or more invalid invalidation paths.',
    );
  }
  return { callerReference, paths };
}

function distributionConfigXml(d: DistributionState): XmlObject {
  const s3 = (domain: string) => /\.s3[.-]/.test(domain) && !domain.includes('s3-website');
  return {
    CallerReference: d.callerReference,
    Aliases: {
      Quantity: d.aliases.length,
      Items: d.aliases.length ? { CNAME: d.aliases } : undefined,
    },
    DefaultRootObject: d.defaultRootObject,
    Origins: {
      Quantity: d.origins.length,
      Items: {
        Origin: d.origins.map((o) => ({
          Id: o.id,
          DomainName: o.domainName,
          OriginPath: o.originPath,
          CustomHeaders: { Quantity: 0 },
          ...(s3(o.domainName)
            ? { S3OriginConfig: { OriginAccessIdentity: '' } }
            : {
                CustomOriginConfig: {
                  HTTPPort: 80,
                  HTTPSPort: 443,
                  OriginProtocolPolicy: 'https-only',
                  OriginSslProtocols: { Quantity: 1, Items: { SslProtocol: ['TLSv1.2'] } },
                  OriginReadTimeout: 30,
                  OriginKeepaliveTimeout: 5,
                },
              }),
          ConnectionAttempts: 3,
          ConnectionTimeout: 10,
          OriginShield: { Enabled: false },
          OriginAccessControlId: '',
        })),
      },
    },
    OriginGroups: { Quantity: 0 },
    DefaultCacheBehavior: cacheBehaviorXml(d.defaultOriginId),
    CacheBehaviors: {
      Quantity: d.cacheBehaviors.length,
      Items: d.cacheBehaviors.length
        ? {
            CacheBehavior: d.cacheBehaviors.map((b) => ({
              PathPattern: b.pathPattern,
              ...cacheBehaviorXml(b.targetOriginId),
            })),
          }
        : undefined,
    },
    CustomErrorResponses: { Quantity: 0 },
    Comment: d.comment,
    Logging: { Enabled: false, IncludeCookies: false, Bucket: '', Prefix: '' },
    PriceClass: 'PriceClass_All',
    Enabled: d.enabled,
    ViewerCertificate: {
      CloudFrontDefaultCertificate: true,
      SSLSupportMethod: 'vip',
      MinimumProtocolVersion: 'TLSv1',
      CertificateSource: 'cloudfront',
    },
    Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
    WebACLId: '',
    HttpVersion: 'http2',
    IsIPV6Enabled: true,
    ContinuousDeploymentPolicyId: '',
    Staging: false,
  };
}

function cacheBehaviorXml(targetOriginId: string): XmlObject {
  return {
    TargetOriginId: targetOriginId,
    TrustedSigners: { Enabled: false, Quantity: 0 },
    TrustedKeyGroups: { Enabled: false, Quantity: 0 },
    ViewerProtocolPolicy: 'redirect-to-https',
    AllowedMethods: {
      Quantity: 2,
      Items: { Method: ['HEAD', 'GET'] },
      CachedMethods: { Quantity: 2, Items: { Method: ['HEAD', 'GET'] } },
    },
    SmoothStreaming: false,
    Compress: true,
    LambdaFunctionAssociations: { Quantity: 0 },
    FunctionAssociations: { Quantity: 0 },
    FieldLevelEncryptionId: '',
    CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  };
}
