/** Verifying an RS256 JWT against a JWKS, the way STS checks a web identity token. */
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';

export interface Jwks {
  keys: (JsonWebKey & { kid?: string })[];
}

export interface DecodedJwt {
  header: { alg?: string; kid?: string; typ?: string };
  claims: Record<string, unknown>;
  /** `<header>.<payload>` as sent: the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

/** Splits and decodes a compact JWS; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const decodedHeader: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!isObject(decodedHeader) || !isObject(claims)) return undefined;
    return {
      header: decodedHeader as DecodedJwt['header'],
      claims,
      signingInput: `${header}.${payload}`,
      signature: Buffer.from(signature, 'base64url'),
    };
  } catch {
    return undefined;
  }
}

/** True when an RS256 signature verifies with the JWKS key named by `kid` (or any RSA key without one). */
export function verifyRs256(jwt: DecodedJwt, jwks: Jwks): boolean {
  if (jwt.header.alg !== 'RS256') return false;
  const candidates = jwks.keys.filter(
    (key) => key.kty === 'RSA' && (jwt.header.kid === undefined || key.kid === jwt.header.kid),
  );
  return candidates.some((jwk) =>
    verify(
      'RSA-SHA256',
      Buffer.from(jwt.signingInput),
      createPublicKey({ key: jwk, format: 'jwk' }),
      jwt.signature,
    ),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
