/** Identifiers shaped like AWS's: access key ids, unique ids, secrets, session tokens. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** AWS unique ids and access key ids use upper-case letters and digits 2-7 after their prefix. */
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function fromBytes(bytes: Buffer, length: number): string {
  let id = '';
  for (let i = 0; i < length; i++) id += ID_ALPHABET[bytes[i % bytes.length]! % 32];
  return id;
}

/** A fresh id such as `ASIA` + 16 characters (a temporary access key id). */
export function randomId(prefix: string, length: number): string {
  return prefix + fromBytes(randomBytes(length), length);
}

/** The same id for the same input, as AWS keeps one unique id per role or user. */
export function stableId(prefix: string, input: string, length = 17): string {
  return prefix + fromBytes(createHash('sha256').update(input).digest(), length);
}

export function randomSecret(): string {
  return randomBytes(30).toString('base64');
}

/** Real session tokens are long opaque base64; this one is recognisably fake. */
export function randomSessionToken(): string {
  return `IQoJb3JpZ2luX2VjEAsimulated${randomBytes(192).toString('base64')}`;
}

export function requestId(): string {
  return randomUUID();
}
