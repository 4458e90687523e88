import { InputError } from '@deploy-actions/action-kit/engine';

// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html#ECR-CreateRepository-request-repositoryName
const REPOSITORY_NAME =
  /^(?=.{2,256}$)((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)$/;
// Docker's tag grammar: https://docs.docker.com/reference/cli/docker/image/tag/
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** What the `repository` input names: a bare name in the caller's registry, or a full URI. */
export interface RepositoryTarget {
  name: string;
  /** The registry host when a URI was given (e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com). */
  registryHost?: string;
  /** Account id from an ECR host: lets a workflow push to another account's registry. */
  registryId?: string;
  /** Region from an ECR host; must match the region the action runs in. */
  region?: string;
}

export function parseRepository(value: string): RepositoryTarget {
  const expected =
    'an ECR repository name (lowercase letters, digits, . _ - and / between parts, 2-256 characters) ' +
    'or a URI such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api';
  const withoutTag = value.replace(/^https?:\/\//, '');
  if (/[:@]/.test(withoutTag.split('/').slice(1).join('/'))) {
    throw new InputError(
      'repository',
      value,
      `${expected}, without a tag or digest (tags go in the 'tags' input)`,
    );
  }
  const slash = withoutTag.indexOf('/');
  const first = slash > 0 ? withoutTag.slice(0, slash) : '';
  // Repository names may contain dots (my.app/api), so only an ECR host, a host:port,
  // localhost or an IP address counts as a registry in front of the name.
  const looksLikeHost =
    ECR_HOST.test(first) ||
    first.includes(':') ||
    first === 'localhost' ||
    /^\d{1,3}(\.\d{1,3}){3}$/.test(first);
  if (!looksLikeHost) {
    if (!REPOSITORY_NAME.test(withoutTag)) throw new InputError('repository', value, expected);
    return { name: withoutTag };
  }
  const name = withoutTag.slice(slash + 1);
  if (!REPOSITORY_NAME.test(name)) throw new InputError('repository', value, expected);
  const ecr = ECR_HOST.exec(first);
  return ecr
    ? { name, registryHost: first, registryId: ecr[1], region: ecr[2] }
    : { name, registryHost: first };
}

export function validateTag(input: string, tag: string): string {
  if (!TAG.test(tag)) {
    throw new InputError(
      input,
      tag,
      'Docker tags: letters, digits, _ . - (not starting with . or -), at most 128 characters',
    );
  }
  return tag;
}

/** `registry/repository@sha256:…`: the immutable reference deploys should use. */
export function digestReference(repositoryUri: string, digest: string): string {
  return `${repositoryUri}@${digest}`;
}

export function tagReference(repositoryUri: string, tag: string): string {
  return `${repositoryUri}:${tag}`;
}
