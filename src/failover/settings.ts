import { FailoverPolicy } from './decide';

/** Configuration of the reconcile Lambda, read from its environment. */
export interface FailoverSettings {
  readonly eniId: string;
  readonly candidates: readonly string[];
  readonly deviceIndex: number;
  readonly policy: FailoverPolicy;
  readonly deadlineSeconds: number;
  /** Deadline of deploy-time placement, which waits for freshly launched instances. */
  readonly placementDeadlineSeconds: number;
  readonly notifyTopicArn?: string;
  /**
   * Self-healing mode: the candidates are the instances of this Auto Scaling group, named one at
   * a time by the launch events that invoke the Lambda (`{ action: 'move', to }`), so the list of
   * fixed candidates may be empty.
   */
  readonly autoScalingGroupName?: string;
}

/** Names of the environment variables the reconcile Lambda reads. */
export const ENV = {
  ENI_ID: 'ENI_ID',
  CANDIDATES: 'CANDIDATE_INSTANCE_IDS',
  DEVICE_INDEX: 'DEVICE_INDEX',
  FAILBACK: 'FAILBACK',
  FAILBACK_AFTER_SECONDS: 'FAILBACK_AFTER_SECONDS',
  DEADLINE_SECONDS: 'DEADLINE_SECONDS',
  PLACEMENT_DEADLINE_SECONDS: 'PLACEMENT_DEADLINE_SECONDS',
  NOTIFY_TOPIC_ARN: 'NOTIFY_TOPIC_ARN',
  AUTOSCALING_GROUP_NAME: 'AUTOSCALING_GROUP_NAME',
} as const;

const ENI_ID = /^eni-([0-9a-f]{8}|[0-9a-f]{17})$/;
const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** Throws unless `id` looks like an ENI id. */
export function checkEniId(id: string, name: string): string {
  if (!ENI_ID.test(id)) throw new Error(`${name} '${id}' is not a network interface id: expected eni- followed by 8 or 17 hex digits`);
  return id;
}

/** Parses a comma-separated list of instance ids; throws on anything else. */
export function parseInstanceIds(value: string, name: string): string[] {
  const ids = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (ids.length === 0) throw new Error(`${name} '${value}' is empty: give one or more instance ids, the primary first, separated by commas`);
  for (const id of ids) {
    if (!INSTANCE_ID.test(id)) throw new Error(`${name} contains '${id}', which is not an instance id: expected i- followed by 8 or 17 hex digits`);
  }
  const dup = ids.find((id, n) => ids.indexOf(id) !== n);
  if (dup) throw new Error(`${name} lists '${dup}' twice: each candidate appears once, in preference order`);
  return ids;
}

/** Throws unless `id` looks like an instance id. */
export function checkInstanceId(id: string, name: string): string {
  if (!INSTANCE_ID.test(id)) throw new Error(`${name} '${id}' is not an instance id: expected i- followed by 8 or 17 hex digits`);
  return id;
}

/** Parses an integer within bounds, or returns the default when unset. */
export function parseInteger(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} '${value}' is not an integer from ${min} to ${max}`);
  return n;
}

function parseBoolean(value: string | undefined, name: string): boolean {
  if (value === undefined || value === '') return false;
  const v = value.toLowerCase();
  if (['true', 'on', '1'].includes(v)) return true;
  if (['false', 'off', '0'].includes(v)) return false;
  throw new Error(`${name} '${value}' is not a boolean: use true or false`);
}

/** Reads and validates the Lambda's environment. */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): FailoverSettings {
  const eni = env[ENV.ENI_ID];
  if (!eni) throw new Error(`${ENV.ENI_ID} is not set: give the id of the ENI to keep attached`);
  const candidates = env[ENV.CANDIDATES];
  const autoScalingGroupName = env[ENV.AUTOSCALING_GROUP_NAME] || undefined;
  if (!candidates && !autoScalingGroupName) throw new Error(`${ENV.CANDIDATES} is not set: give the candidate instance ids, the primary first`);
  const topic = env[ENV.NOTIFY_TOPIC_ARN];
  if (topic && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(topic)) {
    throw new Error(`${ENV.NOTIFY_TOPIC_ARN} '${topic}' is not an SNS topic ARN`);
  }
  return {
    eniId: checkEniId(eni, ENV.ENI_ID),
    candidates: candidates ? parseInstanceIds(candidates, ENV.CANDIDATES) : [],
    deviceIndex: parseInteger(env[ENV.DEVICE_INDEX], ENV.DEVICE_INDEX, 1, 31, 1),
    policy: {
      failback: parseBoolean(env[ENV.FAILBACK], ENV.FAILBACK),
      failbackAfterSeconds: parseInteger(env[ENV.FAILBACK_AFTER_SECONDS], ENV.FAILBACK_AFTER_SECONDS, 0, 86_400, 300),
    },
    deadlineSeconds: parseInteger(env[ENV.DEADLINE_SECONDS], ENV.DEADLINE_SECONDS, 5, 900, 120),
    placementDeadlineSeconds: parseInteger(env[ENV.PLACEMENT_DEADLINE_SECONDS], ENV.PLACEMENT_DEADLINE_SECONDS, 5, 900, 600),
    notifyTopicArn: topic || undefined,
    ...(autoScalingGroupName ? { autoScalingGroupName } : {}),
  };
}
