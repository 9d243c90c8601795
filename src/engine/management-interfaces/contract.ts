/**
 * The contract between `DualHomedAutoScalingGroup` (deploy time) and the management-interface
 * handler (run time): environment variable names, tag keys and the parsing of the settings. The
 * construct imports this module and nothing else of the run-time code.
 */

/** Environment variables of the management-interface handler. */
export const MGMT_ENV = {
  /** The Auto Scaling group's name. */
  GROUP_NAME: 'MGMT_GROUP_NAME',
  /** The management subnet of every Availability Zone: `az=subnet-id` pairs, comma-separated. */
  SUBNETS: 'MGMT_SUBNETS',
  /** The security groups of the management interfaces, comma-separated. */
  SECURITY_GROUPS: 'MGMT_SECURITY_GROUPS',
  /** The device index the management interface is attached at. */
  DEVICE_INDEX: 'MGMT_DEVICE_INDEX',
  /** The launch lifecycle hook's name. */
  LAUNCH_HOOK: 'MGMT_LAUNCH_HOOK',
  /** The terminate lifecycle hook's name. */
  TERMINATE_HOOK: 'MGMT_TERMINATE_HOOK',
  /** How long one run may take before it gives up (seconds). */
  DEADLINE_SECONDS: 'MGMT_DEADLINE_SECONDS',
  /** How old an unattached interface of an instance outside the group must be to count as an orphan (seconds). */
  ORPHAN_GRACE_SECONDS: 'MGMT_ORPHAN_GRACE_SECONDS',
  /** The description written on every management interface. */
  DESCRIPTION: 'MGMT_DESCRIPTION',
  /**
   * Who completes the launch lifecycle action: `handler` (once the interface is attached) or
   * `instance` (the instance itself, once its operating system configured the interface).
   */
  LAUNCH_COMPLETED_BY: 'MGMT_LAUNCH_COMPLETED_BY',
} as const;

/** Tags the handler writes on every interface it creates; it touches no interface without them. */
export const MGMT_TAGS = {
  /** The Auto Scaling group the interface belongs to (the IAM policy requires it on every change). */
  GROUP: 'cdk-eni-patterns:management-interface-group',
  /** The instance the interface was created for. */
  INSTANCE: 'cdk-eni-patterns:management-interface-instance',
  /** When the interface was created (ISO 8601): EC2 does not report an interface's creation time. */
  CREATED_AT: 'cdk-eni-patterns:management-interface-created-at',
} as const;

/** The settings of one handler, parsed from its environment. */
export interface ManagementInterfaceSettings {
  readonly groupName: string;
  /** Management subnet id by Availability Zone. */
  readonly subnetsByAz: Readonly<Record<string, string>>;
  readonly securityGroupIds: readonly string[];
  readonly deviceIndex: number;
  readonly launchHookName: string;
  readonly terminateHookName: string;
  readonly deadlineMs: number;
  readonly orphanGraceMs: number;
  readonly description: string;
  /** Whether the handler completes the launch lifecycle action (`false`: the instance does, after its setup). */
  readonly handlerCompletesLaunch: boolean;
}

/** The names the construct gives its lifecycle hooks. */
export const LAUNCH_HOOK_NAME = 'management-interface-launch';
/** The names the construct gives its lifecycle hooks. */
export const TERMINATE_HOOK_NAME = 'management-interface-terminate';

/** Renders the `MGMT_SUBNETS` value. */
export function renderSubnets(pairs: readonly { az: string; subnetId: string }[]): string {
  return pairs.map((p) => `${p.az}=${p.subnetId}`).join(',');
}

/** Parses `MGMT_SUBNETS`; throws naming the variable and the value. */
export function parseSubnets(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z0-9-]+)=(subnet-[0-9a-f]+)$/.exec(part);
    if (!m) {
      throw new Error(`${MGMT_ENV.SUBNETS} entry '${part}' is not '<availability-zone>=subnet-<hex>'`);
    }
    if (result[m[1]] !== undefined && result[m[1]] !== m[2]) {
      throw new Error(`${MGMT_ENV.SUBNETS} names two subnets for ${m[1]}: ${result[m[1]]} and ${m[2]}; give one management subnet per zone`);
    }
    result[m[1]] = m[2];
  }
  if (Object.keys(result).length === 0) {
    throw new Error(`${MGMT_ENV.SUBNETS} '${text}' names no subnet`);
  }
  return result;
}

function required(env: Record<string, string | undefined>, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`environment variable ${name} is not set`);
  }
  return value.trim();
}

function positiveInteger(env: Record<string, string | undefined>, name: string, fallback: number, min = 0): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`${name} '${text}' is not allowed: use a whole number of ${min} or more`);
  }
  return n;
}

function launchCompletedBy(env: Record<string, string | undefined>): 'handler' | 'instance' {
  const text = env[MGMT_ENV.LAUNCH_COMPLETED_BY] || 'handler';
  if (text !== 'handler' && text !== 'instance') {
    throw new Error(`${MGMT_ENV.LAUNCH_COMPLETED_BY} '${text}' is not allowed: use 'handler' or 'instance'`);
  }
  return text;
}

/** Reads the settings from an environment (for example `process.env`). */
export function settingsFromEnv(env: Record<string, string | undefined>): ManagementInterfaceSettings {
  const securityGroupIds = required(env, MGMT_ENV.SECURITY_GROUPS).split(',').map((s) => s.trim()).filter(Boolean);
  const badGroup = securityGroupIds.find((g) => !/^sg-[0-9a-f]+$/.test(g));
  if (badGroup !== undefined) {
    throw new Error(`${MGMT_ENV.SECURITY_GROUPS} entry '${badGroup}' is not a security group id (sg-<hex>)`);
  }
  return {
    groupName: required(env, MGMT_ENV.GROUP_NAME),
    subnetsByAz: parseSubnets(required(env, MGMT_ENV.SUBNETS)),
    securityGroupIds,
    deviceIndex: positiveInteger(env, MGMT_ENV.DEVICE_INDEX, 1, 1),
    launchHookName: env[MGMT_ENV.LAUNCH_HOOK] || LAUNCH_HOOK_NAME,
    terminateHookName: env[MGMT_ENV.TERMINATE_HOOK] || TERMINATE_HOOK_NAME,
    deadlineMs: positiveInteger(env, MGMT_ENV.DEADLINE_SECONDS, 90, 1) * 1000,
    orphanGraceMs: positiveInteger(env, MGMT_ENV.ORPHAN_GRACE_SECONDS, 900) * 1000,
    description: env[MGMT_ENV.DESCRIPTION] || 'Management interface',
    handlerCompletesLaunch: launchCompletedBy(env) === 'handler',
  };
}
