/**
 * A small client of the Docker Registry HTTP API v2, used two ways: the ECR
 * simulator serves ECR's image APIs from the real registry's contents, and
 * end-to-end tests check pushed manifests independently of the action.
 */
export const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

export interface RegistryAccess {
  address: string;
  username: string;
  password: string;
}

export interface Manifest {
  digest: string;
  mediaType: string;
  body: string;
}

export class RegistryClient {
  constructor(private readonly access: RegistryAccess) {}

  private async request(
    method: string,
    path: string,
    init: { accept?: string[]; body?: string; contentType?: string } = {},
  ) {
    const headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${this.access.username}:${this.access.password}`).toString('base64')}`,
    };
    if (init.accept) headers.accept = init.accept.join(', ');
    if (init.contentType) headers['content-type'] = init.contentType;
    return fetch(`http://${this.access.address}/v2/${path}`, { method, headers, body: init.body });
  }

  /** The manifest a tag or digest points at, or undefined when there is none. */
  async getManifest(
    repository: string,
    reference: string,
    accept: string[] = MANIFEST_TYPES,
  ): Promise<Manifest | undefined> {
    const response = await this.request('GET', `${repository}/manifests/${reference}`, { accept });
    if (response.status === 404) return undefined;
    if (!response.ok)
      throw new Error(
        `registry GET manifest ${repository}:${reference}: ${response.status} ${await response.text()}`,
      );
    return {
      digest: response.headers.get('docker-content-digest') ?? '',
      mediaType: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
  }

  async putManifest(
    repository: string,
    tag: string,
    body: string,
    mediaType: string,
  ): Promise<string> {
    const response = await this.request('PUT', `${repository}/manifests/${tag}`, {
      body,
      contentType: mediaType,
    });
    if (!response.ok)
      throw new Error(
        `registry PUT manifest ${repository}:${tag}: ${response.status} ${await response.text()}`,
      );
    return response.headers.get('docker-content-digest') ?? '';
  }

  async listTags(repository: string): Promise<string[]> {
    const response = await this.request('GET', `${repository}/tags/list`);
    if (response.status === 404) return [];
    if (!response.ok) throw new Error(`registry GET tags ${repository}: ${response.status}`);
    return ((await response.json()) as { tags?: string[] | null }).tags ?? [];
  }

  /** Tags of `repository` that resolve to `digest`. */
  async tagsOf(repository: string, digest: string): Promise<string[]> {
    const tags = await this.listTags(repository);
    const resolved = await Promise.all(
      tags.map(async (tag) => [tag, (await this.getManifest(repository, tag))?.digest] as const),
    );
    return resolved
      .filter(([, d]) => d === digest)
      .map(([tag]) => tag)
      .sort();
  }
}
