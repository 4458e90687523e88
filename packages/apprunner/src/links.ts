/** Where to look when an App Runner deployment goes wrong: its log groups and console page. */
import type { Link } from './outcome.js';

export interface ServiceIdentity {
  serviceName: string;
  serviceId: string;
  serviceArn: string;
  region: string;
}

/**
 * App Runner writes each service's event and deployment log to
 * `/aws/apprunner/<name>/<id>/service` and the container's output to
 * `…/application` (App Runner developer guide, "Viewing App Runner logs
 * streamed to CloudWatch Logs").
 */
export function logGroups(service: Pick<ServiceIdentity, 'serviceName' | 'serviceId'>): {
  service: string;
  application: string;
} {
  const base = `/aws/apprunner/${service.serviceName}/${service.serviceId}`;
  return { service: `${base}/service`, application: `${base}/application` };
}

export function consoleUrl(service: Pick<ServiceIdentity, 'serviceArn' | 'region'>): string {
  return `https://console.aws.amazon.com/apprunner/home?region=${service.region}#/services/dashboard?service_arn=${service.serviceArn}`;
}

/**
 * CloudWatch's console escapes a log group name twice in its URL fragment,
 * with `$` in place of `%`: `/aws/x` → `$252Faws$252Fx`.
 */
export function logGroupUrl(region: string, logGroup: string): string {
  const escaped = encodeURIComponent(encodeURIComponent(logGroup)).replace(/%/g, '$');
  return `https://console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${escaped}`;
}

export function serviceLinks(service: ServiceIdentity): Link[] {
  const groups = logGroups(service);
  return [
    {
      label: 'service log',
      text: groups.service,
      url: logGroupUrl(service.region, groups.service),
    },
    {
      label: 'application log',
      text: groups.application,
      url: logGroupUrl(service.region, groups.application),
    },
    { label: 'console', text: consoleUrl(service), url: consoleUrl(service) },
  ];
}

/** What usually makes an App Runner deployment fail, for hints. */
export const APP_RUNNER_CAUSES = {
  unhealthy:
    'The container did not pass its health check: it exited, did not listen on the configured port, or the health check path did not answer 2xx in time.',
  createFailed:
    'Common causes: the access role cannot pull the image (it needs ECR read access and to trust build.apprunner.amazonaws.com), the container does not listen on the configured port, or the health check fails. Fix the cause and run again: App Runner rebuilds a CREATE_FAILED service when it is updated.',
};
