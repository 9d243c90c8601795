import { DEFAULTS, ENV, FailoverSettings, MAX_HEALTH_ALARMS } from './contract';

export { ENV, MAX_HEALTH_ALARMS };
export type { FailoverSettings };

const HEALTH_ALARMS_FORMAT = 'expected i-...=alarmA|alarmB,i-...=alarmC or the JSON {"i-...":["alarmA","alarmB"]}';

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

/**
 * Parses health alarms by instance id in either of two forms:
 * - `i-aaa=alarmA|alarmB,i-bbb=alarmC` (for people: alarm names must not contain `,`, `|` or `=`),
 * - JSON `{"i-aaa":["alarmA","alarmB"],"i-bbb":["alarmC"]}` (what `EniFailover` writes: any
 *   alarm name CloudWatch accepts).
 * Empty or unset means none. Throws with a message naming `name` and echoing the bad part.
 */
export function parseHealthAlarms(value: string | undefined, name: string): Record<string, string[]> {
  const text = value?.trim() ?? '';
  if (text === '') return {};
  const entries: Array<[string, unknown]> = [];
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new Error(`${name} '${value}' is not valid JSON (${(err as Error).message}): ${HEALTH_ALARMS_FORMAT}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error(`${name} '${value}' is not a JSON object of instance ids: ${HEALTH_ALARMS_FORMAT}`);
    }
    entries.push(...Object.entries(parsed));
  } else {
    for (const entry of text.split(',').map((e) => e.trim())) {
      const eq = entry.indexOf('=');
      if (eq < 0) throw new Error(`${name} entry '${entry}' is not instance=alarms: ${HEALTH_ALARMS_FORMAT}`);
      const id = entry.slice(0, eq).trim();
      if (entries.some(([k]) => k === id)) {
        throw new Error(`${name} lists '${id}' twice: give all of its alarms in one entry, separated by |`);
      }
      entries.push([id, entry.slice(eq + 1).split('|').map((a) => a.trim())]);
    }
  }
  const result: Record<string, string[]> = {};
  for (const [id, alarms] of entries) {
    if (!INSTANCE_ID.test(id)) throw new Error(`${name} contains '${id}', which is not an instance id: expected i- followed by 8 or 17 hex digits`);
    if (!Array.isArray(alarms) || alarms.length === 0) {
      throw new Error(`${name} gives no alarm names for ${id} (${JSON.stringify(alarms)}): list one or more alarm names`);
    }
    for (const alarm of alarms) {
      // CloudWatch alarm names: 1 to 255 characters, no ASCII control characters.
      if (typeof alarm !== 'string' || alarm.length === 0 || alarm.length > 255 || hasControlCharacter(alarm)) {
        throw new Error(`${name} alarm name ${JSON.stringify(alarm)} for ${id} is not allowed: use 1 to 255 characters without control characters`);
      }
    }
    const dup = alarms.find((a, n) => alarms.indexOf(a) !== n);
    if (dup) throw new Error(`${name} lists alarm '${dup}' twice for ${id}`);
    result[id] = alarms as string[];
  }
  const total = new Set(Object.values(result).flat()).size;
  if (total > MAX_HEALTH_ALARMS) {
    throw new Error(`${name} names ${total} alarms: at most ${MAX_HEALTH_ALARMS} (one DescribeAlarms request per run)`);
  }
  return result;
}

function hasControlCharacter(text: string): boolean {
  return [...text].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
}

/** Throws when a health alarm belongs to an instance that is not a candidate. */
export function checkHealthAlarmInstances(
  healthAlarms: Readonly<Record<string, readonly string[]>>, candidates: readonly string[], name: string, candidatesName: string,
): void {
  const stray = Object.keys(healthAlarms).find((id) => !candidates.includes(id));
  if (stray) {
    throw new Error(`${name} has alarms for ${stray}, which is not in ${candidatesName} (${candidates.join(',')}): health alarms belong to candidates`);
  }
}

/** Parses an integer within bounds, or returns the default when unset. */
export function parseInteger(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} '${value}' is not an integer from ${min} to ${max}`);
  return n;
}

export function parseBoolean(value: string | undefined, name: string, fallback = false): boolean {
  if (value === undefined || value === '') return fallback;
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
  const candidateIds = candidates ? parseInstanceIds(candidates, ENV.CANDIDATES) : [];
  const healthAlarms = parseHealthAlarms(env[ENV.HEALTH_ALARMS], ENV.HEALTH_ALARMS);
  checkHealthAlarmInstances(healthAlarms, candidateIds, ENV.HEALTH_ALARMS, ENV.CANDIDATES);
  return {
    eniId: checkEniId(eni, ENV.ENI_ID),
    candidates: candidateIds,
    deviceIndex: parseInteger(env[ENV.DEVICE_INDEX], ENV.DEVICE_INDEX, 1, 31, 1),
    policy: {
      failback: parseBoolean(env[ENV.FAILBACK], ENV.FAILBACK, DEFAULTS.failback),
      failbackAfterSeconds: parseInteger(env[ENV.FAILBACK_AFTER_SECONDS], ENV.FAILBACK_AFTER_SECONDS, 0, 86_400, DEFAULTS.failbackAfterSeconds),
    },
    deadlineSeconds: parseInteger(env[ENV.DEADLINE_SECONDS], ENV.DEADLINE_SECONDS, 5, 900, DEFAULTS.deadlineSeconds),
    placementDeadlineSeconds: parseInteger(
      env[ENV.PLACEMENT_DEADLINE_SECONDS], ENV.PLACEMENT_DEADLINE_SECONDS, 5, 900, DEFAULTS.placementDeadlineSeconds),
    forceDetachAfterSeconds: parseInteger(
      env[ENV.FORCE_DETACH_AFTER_SECONDS], ENV.FORCE_DETACH_AFTER_SECONDS, 1, 600, DEFAULTS.forceDetachAfterSeconds),
    notifyTopicArn: topic || undefined,
    healthAlarms,
    maxNoticeAgeSeconds: parseInteger(env[ENV.MAX_NOTICE_AGE_SECONDS], ENV.MAX_NOTICE_AGE_SECONDS, 60, 21_600, DEFAULTS.maxNoticeAgeSeconds),
    fence: parseBoolean(env[ENV.FENCE], ENV.FENCE, DEFAULTS.fence),
    floatingProbePort: env[ENV.FLOATING_PROBE_PORT] ? parseInteger(env[ENV.FLOATING_PROBE_PORT], ENV.FLOATING_PROBE_PORT, 1, 65_535, 0) : undefined,
    floatingProbeTimeoutMs: parseInteger(
      env[ENV.FLOATING_PROBE_TIMEOUT_MS], ENV.FLOATING_PROBE_TIMEOUT_MS, 100, 10_000, DEFAULTS.floatingProbeTimeoutMs),
  };
}
