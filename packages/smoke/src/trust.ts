/** The certificate authorities a check trusts: Node's roots, plus those of ca-file. */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as tls from 'node:tls';
import { InputError } from '@deploy-actions/action-kit/engine';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The roots Node trusts by default. Node 22.15+ (the actions run on 24) reports
 * them all, NODE_EXTRA_CA_CERTS and --use-system-ca included; older Node only
 * has its bundled list.
 */
export function defaultCertificateAuthorities(): string[] {
  const getCACertificates = (tls as Partial<typeof tls>).getCACertificates;
  return typeof getCACertificates === 'function'
    ? getCACertificates('default')
    : [...tls.rootCertificates];
}

/**
 * Reads the ca-file input: PEM certificates, each checked to parse, so that a
 * wrong file fails here with its name instead of as "unable to verify" later.
 */
export async function loadCertificateAuthorities(path: string): Promise<string[]> {
  const expected = 'a readable PEM file of CA certificates (-----BEGIN CERTIFICATE----- blocks)';
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? String(error);
    throw new InputError('ca-file', path, `${expected}; reading it failed with ${code}`);
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) {
    throw new InputError('ca-file', path, `${expected}; this file has none`);
  }
  certificates.forEach((pem, index) => {
    try {
      new X509Certificate(pem);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InputError(
        'ca-file',
        path,
        `${expected}; certificate ${index + 1} does not parse (${reason})`,
      );
    }
  });
  return certificates;
}
