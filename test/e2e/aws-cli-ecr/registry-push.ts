// Pushing an image through the Registry HTTP API v2 (what `docker push` does), without a docker
// daemon: the images the ECR CLI fidelity rows read, copy and scan.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { type Registry } from '../../../tools/services/docker.js';
import { RegistryClient } from '../../../tools/services/registry-client.js';
import { DOCKER_MANIFEST, OCI_MANIFEST, type PushedImage } from './fixture.js';

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A one-file tar archive (ustar), the content of an image layer. */
export function tarOf(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) =>
    header.write(value, offset, length, 'ascii');
  field(0, 100, name);
  field(100, 8, '0000644\0');
  field(108, 8, '0000000\0');
  field(116, 8, '0000000\0');
  field(124, 12, `${data.length.toString(8).padStart(11, '0')}\0`);
  field(136, 12, `${'0'.repeat(11)}\0`);
  field(148, 8, ' '.repeat(8));
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

export async function uploadBlob(
  registry: Registry,
  repository: string,
  blob: Buffer,
): Promise<string> {
  const digest = sha256(blob);
  const authorization = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
  const start = await fetch(`http://${registry.address}/v2/${repository}/blobs/uploads/`, {
    method: 'POST',
    headers: { authorization },
  });
  const location = start.headers.get('location');
  if (start.status !== 202 || !location) {
    throw new Error(`registry: starting a blob upload: ${start.status} ${await start.text()}`);
  }
  const url = new URL(location, `http://${registry.address}`);
  url.searchParams.set('digest', digest);
  const put = await fetch(url, {
    method: 'PUT',
    headers: { authorization, 'content-type': 'application/octet-stream' },
    body: blob,
  });
  if (put.status !== 201) {
    throw new Error(`registry: finishing a blob upload: ${put.status} ${await put.text()}`);
  }
  return digest;
}

/** Pushes a one-layer linux/amd64 image in Docker or OCI format under `tags`. */
export async function pushImage(
  registry: Registry,
  repository: string,
  tags: string[],
  format: 'docker' | 'oci',
  seed: string,
): Promise<PushedImage> {
  const tar = tarOf('hello.txt', `hello from ${seed}\n`);
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/hello'] },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    }),
  );
  const [configDigest, layerDigest] = [
    await uploadBlob(registry, repository, config),
    await uploadBlob(registry, repository, layer),
  ];
  const types =
    format === 'docker'
      ? {
          manifest: DOCKER_MANIFEST,
          config: 'application/vnd.docker.container.image.v1+json',
          layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        }
      : {
          manifest: OCI_MANIFEST,
          config: 'application/vnd.oci.image.config.v1+json',
          layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
        };
  const body = JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: types.manifest,
      config: { mediaType: types.config, size: config.length, digest: configDigest },
      layers: [{ mediaType: types.layer, size: layer.length, digest: layerDigest }],
    },
    null,
    3,
  );
  const client = new RegistryClient(registry);
  for (const tag of tags) {
    const digest = await client.putManifest(repository, tag, body, types.manifest);
    if (digest !== sha256(body)) throw new Error(`registry stored ${digest} for ${sha256(body)}`);
  }
  return {
    digest: sha256(body),
    body,
    mediaType: types.manifest,
    size: config.length + layer.length,
  };
}
