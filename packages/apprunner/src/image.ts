import { InputError } from '@deploy-actions/action-kit/engine';

/**
 * An image App Runner can pull: a private ECR repository (any account, by
 * tag or digest) or ECR Public. App Runner's API accepts nothing else (its
 * ImageIdentifier pattern names only these two registries), so anything else
 * is refused here, before any call, instead of by CreateService/UpdateService.
 */
export interface ImageReference {
  /** The reference exactly as App Runner stores it (ImageIdentifier). */
  identifier: string;
  repositoryType: 'ECR' | 'ECR_PUBLIC';
  registry: string;
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
  /** Private ECR only: the registry's account and region. */
  accountId: string | undefined;
  region: string | undefined;
}

const REPOSITORY = '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*';
const TAG_OR_DIGEST = '(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@(sha256:[0-9a-f]{64}))?';
const PRIVATE_ECR = new RegExp(
  `^((\\d{12})\\.dkr\\.ecr\\.([a-z]{2}(?:-[a-z]+)+-\\d{1,2})\\.amazonaws\\.com)/(${REPOSITORY})${TAG_OR_DIGEST}$`,
);
const PUBLIC_ECR = new RegExp(
  `^(public\\.ecr\\.aws/[a-z0-9][a-z0-9_-]{1,49})/(${REPOSITORY})${TAG_OR_DIGEST}$`,
);
const EXPECTED =
  'an ECR image: <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> or …/<repository>@sha256:<64 hex digits>, or public.ecr.aws/<alias>/<repository>:<tag>';

export function parseImageReference(input: string, value: string): ImageReference {
  const reference = value.trim();
  const parsed = parsePrivate(reference) ?? parsePublic(reference);
  if (!parsed) throw new InputError(input, value, explainRejection(reference));
  if (parsed.tag === undefined && parsed.digest === undefined) {
    throw new InputError(
      input,
      value,
      `${EXPECTED} (with a tag or digest: without one App Runner deploys :latest, which is not this commit's image)`,
    );
  }
  return parsed;
}

function parsePrivate(reference: string): ImageReference | undefined {
  const match = PRIVATE_ECR.exec(reference);
  if (!match) return undefined;
  const [, registry, accountId, region, repository, tag, digest] = match;
  return {
    identifier: reference,
    repositoryType: 'ECR',
    registry: registry!,
    repository: repository!,
    tag,
    digest,
    accountId,
    region,
  };
}

function parsePublic(reference: string): ImageReference | undefined {
  const match = PUBLIC_ECR.exec(reference);
  if (!match) return undefined;
  const [, registry, repository, tag, digest] = match;
  return {
    identifier: reference,
    repositoryType: 'ECR_PUBLIC',
    registry: registry!,
    repository: repository!,
    tag,
    digest,
    accountId: undefined,
    region: undefined,
  };
}

/** Says what is wrong with the most common mistakes, not only what is expected. */
function explainRejection(reference: string): string {
  if (/@sha256:/.test(reference) && /:[^/@]+@sha256:/.test(reference)) {
    return `${EXPECTED} (a tag or a digest, not both: App Runner accepts one)`;
  }
  if (/@sha256:/.test(reference) && !/@sha256:[0-9a-f]{64}$/.test(reference)) {
    return `${EXPECTED} (a digest is sha256: followed by 64 lower-case hex digits)`;
  }
  const host = reference.split('/')[0] ?? '';
  if (!/\.amazonaws\.com$/.test(host) && host !== 'public.ecr.aws') {
    return `${EXPECTED} (App Runner pulls images only from Amazon ECR and ECR Public, not ${host || 'an image without a registry'})`;
  }
  return EXPECTED;
}

/** `repository:tag` or `repository@sha256:1234567…`, for log lines and summaries. */
export function shortImage(identifier: string | undefined): string {
  if (!identifier) return '(none)';
  const path = identifier.slice(identifier.indexOf('/') + 1);
  return path.replace(/@sha256:([0-9a-f]{12})[0-9a-f]{52}$/, '@sha256:$1…');
}
