/**
 * The contract between the deploy-time constructs (`src/failover/`, `src/self-healing-instance.ts`)
 * and the run-time engine (`src/engine/`): environment variable names, tag keys, the settings
 * shape and its defaults. Constructs import this module and the generated `*-function.ts`
 * constructs only, never the engine itself.
 *
 * This module has no imports at all: it must load in a construct app and in a Lambda bundle alike.
 */

/** Names of the environment variables the reconcile Lambda reads. */
export const ENV = {
  /** The floating ENI's id. */
  ENI_ID: 'ENI_ID',
  /** Candidate instance ids, primary first, comma-separated. */
  CANDIDATES: 'CANDIDATE_INSTANCE_IDS',
  /** Device index the ENI is attached at (1 to 31). */
  DEVICE_INDEX: 'DEVICE_INDEX',
  /** `true` or `false`: move back to a preferred candidate that is healthy again. */
  FAILBACK: 'FAILBACK',
  /** Seconds a preferred candidate must be healthy before failback. */
  FAILBACK_AFTER_SECONDS: 'FAILBACK_AFTER_SECONDS',
  /** Seconds after which a run starts no new detach. */
  DEADLINE_SECONDS: 'DEADLINE_SECONDS',
  /** Deadline of deploy-time placement, which waits for freshly launched instances. */
  PLACEMENT_DEADLINE_SECONDS: 'PLACEMENT_DEADLINE_SECONDS',
  /**
   * Seconds a graceful detach may stay `detaching` before the engine forces it, which it does only
   * when the holder is gone, has failed (neither running nor pending, status checks impaired) or
   * runs without passing status checks (a dead host can report `insufficient-data` for long). A
   * detach from a holder with passing checks, or a pending one, is never forced. Used by failover
   * runs and by the release on stack deletion alike.
   */
  FORCE_DETACH_AFTER_SECONDS: 'FORCE_DETACH_AFTER_SECONDS',
  /** SNS topic for failure notices. */
  NOTIFY_TOPIC_ARN: 'NOTIFY_TOPIC_ARN',
  /** Self-healing mode: the candidates are this group's instances, named by launch events, so CANDIDATE_INSTANCE_IDS may be empty. */
  AUTOSCALING_GROUP_NAME: 'AUTOSCALING_GROUP_NAME',
  /** Health alarms by instance id, JSON `{"i-...":["alarm"]}`. */
  HEALTH_ALARMS: 'HEALTH_ALARMS',
  /**
   * Alarm notices (SNS or EventBridge) whose state change is older than this many seconds are
   * ignored: Lambda redelivers failed or throttled asynchronous events for up to 6 hours.
   */
  MAX_NOTICE_AGE_SECONDS: 'MAX_NOTICE_AGE_SECONDS',
  /** `true`: stop a still-running instance after a forced detach from it (fencing). */
  FENCE: 'FENCE',
  /**
   * TCP port on which the floating address must answer on its holder (the function must run in
   * the VPC). Unset: the floating address is not probed.
   */
  FLOATING_PROBE_PORT: 'FLOATING_PROBE_PORT',
  /** Milliseconds the floating address probe waits for a TCP connection. */
  FLOATING_PROBE_TIMEOUT_MS: 'FLOATING_PROBE_TIMEOUT_MS',
} as const;

/** Tag keys the engine reads and writes on the floating ENI (needs ec2:CreateTags / ec2:DeleteTags on the ENI's ARN). */
export const TAGS = {
  /**
   * Manual pin (maintenance mode): value `<instance id>` or `<instance id>@<ISO 8601 expiry>`.
   * While it holds, every run keeps the ENI on that instance (unless it is not running) and
   * neither fails over nor fails back.
   */
  PIN: 'eni-failover:pin',
  /**
   * Prefix of the tags that remember a device index EC2 refused on an instance (after a forced
   * detach): key `<prefix><instance id>`, value the instance's launch time (ISO 8601). The
   * instance is skipped until it is launched again (stop/start resets the launch time).
   */
  REFUSED_PREFIX: 'eni-failover:refused:',
} as const;

/** Defaults of the settings, shared by the constructs (to render) and the engine (to parse). */
export const DEFAULTS = {
  deviceIndex: 1,
  failback: false,
  failbackAfterSeconds: 300,
  deadlineSeconds: 120,
  placementDeadlineSeconds: 600,
  forceDetachAfterSeconds: 30,
  /** 10 minutes: longer than alarm evaluation plus SNS and two Lambda retries, far below 6 h. */
  maxNoticeAgeSeconds: 600,
  fence: false,
  floatingProbeTimeoutMs: 2000,
} as const;

/**
 * Recommended Lambda settings for the reconcile function (measured in `bench/failover.ts`,
 * see docs/failover-engine.md): module load is CPU-bound and Lambda gives a full vCPU at 1,769 MB; arm64 (Graviton) costs less per GB-second.
 */
export const RECOMMENDED_FUNCTION = {
  memorySize: 1769,
  architecture: 'arm64',
  /** Async invocations: at most this many retries and this event age (seconds). */
  retryAttempts: 1,
  maxEventAgeSeconds: 600,
} as const;

/** At most this many health alarms, so one DescribeAlarms request reads them all. */
export const MAX_HEALTH_ALARMS = 100;

/** How the engine chooses between healthy candidates. */
export interface FailoverPolicySettings {
  /** Move the ENI back to a preferred candidate once it is healthy again. */
  readonly failback: boolean;
  /** How long a preferred candidate must have been healthy before failback. */
  readonly failbackAfterSeconds: number;
}

/** Configuration of the reconcile Lambda, read from its environment. */
export interface FailoverSettings {
  readonly eniId: string;
  readonly candidates: readonly string[];
  readonly deviceIndex: number;
  readonly policy: FailoverPolicySettings;
  readonly deadlineSeconds: number;
  /** Deadline of deploy-time placement, which waits for freshly launched instances. */
  readonly placementDeadlineSeconds: number;
  /** Look again at a detach that is still detaching after this many seconds (see `ENV.FORCE_DETACH_AFTER_SECONDS`). */
  readonly forceDetachAfterSeconds: number;
  readonly notifyTopicArn?: string;
  /** Health alarm names by candidate instance id (empty: none). */
  readonly healthAlarms: Readonly<Record<string, readonly string[]>>;
  /** Alarm notices older than this are ignored. */
  readonly maxNoticeAgeSeconds: number;
  /** Stop a still-running instance after a forced detach from it. */
  readonly fence: boolean;
  /** TCP port of the floating address probe; undefined: no probe. */
  readonly floatingProbePort?: number;
  readonly floatingProbeTimeoutMs: number;
}
