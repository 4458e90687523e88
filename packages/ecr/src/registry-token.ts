/**
 * The registry credentials ECR hands out (GetAuthorizationToken), masked as
 * soon as they arrive: docker login and the registry API reads use them.
 */
import { GetAuthorizationTokenCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { UserError } from '@deploy-actions/action-kit/engine';
import { callWith } from '@deploy-actions/aws';
import { ECR_CALLS } from './calls.js';

export interface RegistryToken {
  /** base64 of `username:password`: the registry's Basic credentials as they are. */
  token: string;
  username: string;
  password: string;
  /** https://<registry host>, as ECR reports it (may be absent). */
  endpoint: string | undefined;
}

export async function registryToken(
  ecr: ECRClient,
  target: { registryId: string; region: string },
  mask: (secret: string) => void,
): Promise<RegistryToken> {
  const response = await callWith(
    ECR_CALLS,
    'GetAuthorizationToken',
    { resource: ECR_CALLS.GetAuthorizationToken.resource, region: target.region },
    () => ecr.send(new GetAuthorizationTokenCommand({ registryIds: [target.registryId] })),
  );
  const data = response.authorizationData?.[0];
  if (!data?.authorizationToken) throw new UserError('ECR returned no authorization token.');
  mask(data.authorizationToken);
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = decoded.slice(colon + 1);
  mask(password);
  return {
    token: data.authorizationToken,
    username: decoded.slice(0, colon),
    password,
    endpoint: data.proxyEndpoint,
  };
}
