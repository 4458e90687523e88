/**
 * A registry that holds only tags and their manifests' digests, speaking the
 * part of the registry API the ECR simulator reads (GET manifests by tag or
 * digest, tags/list), so unit tests can move a tag without docker.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RegistryAccess } from '../../../tools/services/registry-client.js';

export interface TagRegistry {
  access: RegistryAccess;
  /** Points `repository:tag` at `digest` (sha256:…), as a push of that tag would. */
  tag(repository: string, tag: string, digest: string): void;
  close(): Promise<void>;
}

const MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';

export async function startTagRegistry(): Promise<TagRegistry> {
  const tags = new Map<string, Map<string, string>>();
  const server = http.createServer((request, response) => {
    const match = /^\/v2\/(.+)\/(manifests\/([^/]+)|tags\/list)$/.exec(request.url ?? '');
    const repository = match ? tags.get(match[1]!) : undefined;
    if (!match || !repository) {
      response.writeHead(404).end();
      return;
    }
    if (!match[3]) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ name: match[1], tags: [...repository.keys()] }));
      return;
    }
    const reference = decodeURIComponent(match[3]);
    const digest = reference.startsWith('sha256:')
      ? [...repository.values()].find((d) => d === reference)
      : repository.get(reference);
    if (!digest) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': MEDIA_TYPE, 'docker-content-digest': digest });
    response.end(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE, layers: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    access: { address: `127.0.0.1:${port}`, username: 'test', password: 'test' },
    tag(repository, tag, digest) {
      if (!tags.has(repository)) tags.set(repository, new Map());
      tags.get(repository)!.set(tag, digest);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
