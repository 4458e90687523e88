/** Links to the AWS console pages of a task and of its log stream. */
import type { TaskLogTarget } from './types.js';

/** The ECS console page of a task. */
export function taskConsoleUrl(region: string, cluster: string, taskId: string): string {
  const name = clusterName(cluster);
  return `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(name)}/tasks/${taskId}`;
}

/** The CloudWatch console page of a log stream. */
export function logStreamConsoleUrl(target: TaskLogTarget): string {
  const escape = (s: string) => encodeURIComponent(encodeURIComponent(s)).replace(/%/g, '$');
  return `https://${target.region}.console.aws.amazon.com/cloudwatch/home?region=${target.region}#logsV2:log-groups/log-group/${escape(target.group)}/log-events/${escape(target.stream)}`;
}

function clusterName(cluster: string): string {
  return /:cluster\/(.+)$/.exec(cluster)?.[1] ?? cluster;
}
